# src/arch/clone.s: starting an OS thread.   (Go: runtime.clone in sys_linux_amd64.s)
#
# fn rt0_clone(flags: u64 /* rdi */, stack_top: usize /* rsi */, tls: usize /* rdx */,
#              g: usize /* rcx */, entry: extern "C" fn(usize) -> ! /* r8 */,
#              arg: usize /* r9 */) -> i64
#
# The parent gets the new thread's id (or -errno) back. The child wakes up
# on stack_top with FS = tls (CLONE_SETTLS), stores g in the g slot below
# FS (setg) and calls entry(arg), which never returns. Nothing here knows
# what g or arg are: the scheduler's entry links g0 to its M. The kernel
# copies every register into the child, so g, entry and arg travel in
# callee-saved registers; rcx and r11 are clobbered by `syscall` and rax
# holds the result (0 in the child).

    .text
    .globl rt0_asm_clone_start
rt0_asm_clone_start:                  # this file's code begins (arch::preempt)
    .globl rt0_clone
    .type rt0_clone,@function
rt0_clone:
    push r13                                    # callee-saved registers we borrow,
    push r14                                    #   restored on the parent's way out
    push r15                                    # (third borrowed register)
    mov r13, rcx                                # g
    mov r14, r8                                 # entry
    mov r15, r9                                 # arg
    mov r8, rdx                                 # clone's tls argument: the new FS base
    xor edx, edx                                # parent_tid: not wanted
    xor r10d, r10d                              # child_tid: not wanted
    mov eax, {sys_clone}                        # SYS_clone(flags, stack, ptid, ctid, tls)
    syscall                                     # clobbers rcx, r11
    test rax, rax                               # 0 in the child
    jz .Lclone_child                            # the child goes its own way
    pop r15                                     # parent: restore and return tid or -errno
    pop r14                                     # (restore)
    pop r13                                     # (restore)
    ret                                         # rax = tid or -errno
.Lclone_child:
    xor ebp, ebp                                # outermost frame of the new thread
    mov qword ptr fs:[-{tls_g_slot_size}], r13  # setg(g): FS was set by CLONE_SETTLS
    mov rdi, r15                                # entry's argument
    call r14                                    # entry(arg): never returns
    ud2                                         # not reached
    .size rt0_clone, . - rt0_clone

    .globl rt0_asm_clone_end
rt0_asm_clone_end:                    # and ends: no asynchronous preemption in between
