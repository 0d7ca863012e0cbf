# src/arch/spawn.s: starting a child process that shares our memory until
# it calls execve.   (Go: rawVforkSyscall in syscall/asm_linux_amd64.s)
#
# fn rt0_spawn_clone(flags: u64 /* rdi */, stack_top: usize /* rsi */,
#                    entry: extern "C" fn(usize) -> ! /* rdx */,
#                    arg: usize /* rcx */) -> i64
#
# clone(flags, stack_top, ptid = 0, ctid = 0, tls = 0). The parent gets the
# child's pid (or -errno) back; with CLONE_VFORK it gets it only once the
# child has called execve or exited. The child wakes up on stack_top (a
# stack of its own: the parent's frames stay untouched) with the parent's
# FS base (no CLONE_SETTLS), so nothing on this path may read or write the
# TLS slot: unlike rt0_clone it does not setg. It calls entry(arg), which
# never returns. entry and arg travel in callee-saved registers (the kernel
# copies every register into the child); rcx and r11 are clobbered by
# `syscall`, rax holds the result (0 in the child).
#
# Call frame information: the parent's path is an ordinary frame (two
# pushes); the child's is the outermost frame of the child
# (`.cfi_undefined rip`), so an unwinder stops there.

    .text
    .globl rt0_asm_spawn_start
rt0_asm_spawn_start:                  # this file's code begins (arch::preempt)
    .globl rt0_spawn_clone
    .type rt0_spawn_clone,@function
rt0_spawn_clone:
    .cfi_startproc                              # CFI: CFA = rsp+8, the return address at CFA-8
    push r14                                    # callee-saved registers we borrow,
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+16
    .cfi_offset r14, -16                        # CFI: r14 saved at CFA-16
    push r15                                    #   restored on the parent's way out
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+24
    .cfi_offset r15, -24                        # CFI: r15 saved at CFA-24
    mov r14, rdx                                # entry
    mov r15, rcx                                # arg
    xor edx, edx                                # parent_tid: not wanted
    xor r10d, r10d                              # child_tid: not wanted
    xor r8d, r8d                                # tls: unused (no CLONE_SETTLS)
    mov eax, {sys_clone}                        # SYS_clone(flags, stack, ptid, ctid, tls)
    syscall                                     # clobbers rcx, r11
    test rax, rax                               # 0 in the child
    jz .Lspawn_child                            # the child goes its own way
    pop r15                                     # parent: restore and return pid or -errno
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+16
    .cfi_restore r15                            # CFI: r15 holds the caller's value again
    pop r14                                     # (restore)
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+8
    .cfi_restore r14                            # CFI: (restored)
    ret                                         # rax = pid or -errno
.Lspawn_child:
    .cfi_undefined rip                          # CFI: the child's outermost frame, no caller
    xor ebp, ebp                                # outermost frame of the child
    mov rdi, r15                                # entry's argument
    call r14                                    # entry(arg): never returns
    ud2                                         # not reached
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_spawn_clone, . - rt0_spawn_clone

    .globl rt0_asm_spawn_end
rt0_asm_spawn_end:                    # and ends: no asynchronous preemption in between
