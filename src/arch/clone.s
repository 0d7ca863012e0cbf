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
#
# Call frame information: the parent's path is an ordinary frame (three
# pushes); the child's is the outermost frame of the new thread
# (`.cfi_undefined rip`), so an unwinder stops there.

    .text
    .globl rt0_asm_clone_start
rt0_asm_clone_start:                  # this file's code begins (arch::preempt)
    .globl rt0_clone
    .type rt0_clone,@function
rt0_clone:
    .cfi_startproc                              # CFI: CFA = rsp+8, the return address at CFA-8
    push r13                                    # callee-saved registers we borrow,
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+16
    .cfi_offset r13, -16                        # CFI: r13 saved at CFA-16
    push r14                                    #   restored on the parent's way out
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+24
    .cfi_offset r14, -24                        # CFI: r14 saved at CFA-24
    push r15                                    # (third borrowed register)
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+32
    .cfi_offset r15, -32                        # CFI: r15 saved at CFA-32
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
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+24
    .cfi_restore r15                            # CFI: r15 holds the caller's value again
    pop r14                                     # (restore)
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+16
    .cfi_restore r14                            # CFI: (restored)
    pop r13                                     # (restore)
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+8
    .cfi_restore r13                            # CFI: (restored)
    ret                                         # rax = tid or -errno
.Lclone_child:
    .cfi_undefined rip                          # CFI: the new thread's outermost frame, no caller
    xor ebp, ebp                                # outermost frame of the new thread
    mov qword ptr fs:[-{tls_g_slot_size}], r13  # setg(g): FS was set by CLONE_SETTLS
    mov rdi, r15                                # entry's argument
    call r14                                    # entry(arg): never returns
    ud2                                         # not reached
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_clone, . - rt0_clone

    .globl rt0_asm_clone_end
rt0_asm_clone_end:                    # and ends: no asynchronous preemption in between
