# src/arch/signal.s: the signal trampolines.   (Go: runtime.sigtramp and
# runtime.sigreturn__sigaction in sys_linux_amd64.s)
#
# rt0_sigtramp is the sa_handler the kernel calls for every signal the
# runtime catches: rdi = sig, rsi = &siginfo, rdx = &ucontext. It calls
# the Rust handler registered for sig in {handlers}[sig] on a 16-byte
# aligned stack: the SysV ABI wants rsp+8 aligned at a function's entry,
# and qemu-user 7.2 can enter a handler on the alternate signal stack
# misaligned by 8, where the compiler's aligned SSE stores (movaps) fault.
#
# With no libc there is no restorer to name in sa_restorer: the kernel makes
# a signal handler return into rt0_sigreturn, which asks the kernel to
# restore the interrupted context from the signal frame at rsp.
#
# Call frame information (the .cfi_ directives; read by debug/cfi.rs and
# by gdb) lets an unwinder started inside a handler go on to the
# interrupted code. rt0_sigtramp is an ordinary frame whose return
# address is no call's: it returns to the first instruction of
# rt0_sigreturn, so it is marked a signal frame (the pc it returns to is
# looked up as it is, not as pc-1, which would fall in rt0_sigtramp).
# rt0_sigreturn runs with rsp at the kernel's ucontext (the frame's
# return address popped): CFA = rsp, every general register, rsp and the
# interrupted pc are read from uc_mcontext (the uc_ offsets of arch::signal), and it too
# is a signal frame: the interrupted pc is exact.

    .text
    .globl rt0_asm_signal_start
rt0_asm_signal_start:                  # this file's code begins (arch::preempt)
    .globl rt0_sigtramp
    .type rt0_sigtramp,@function
rt0_sigtramp:
    .cfi_startproc                              # CFI: CFA = rsp+8, the return address at CFA-8
    .cfi_signal_frame                           # CFI: which is rt0_sigreturn itself, not pc-1
    push rbp                                    # keep the caller's frame pointer
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+16
    .cfi_offset rbp, -16                        # CFI: rbp saved at CFA-16
    mov rbp, rsp                                # remember the entry stack pointer
    .cfi_def_cfa_register rbp                   # CFI: CFA = rbp+16 while rsp is realigned
    and rsp, -16                                # align: the call below leaves rsp+8 aligned
    lea rax, [rip + {handlers}]                 # the table of Rust handlers
    mov rax, [rax + rdi*8]                      # handlers[sig]; rdi, rsi, rdx stay the arguments
    call rax                                    # handler(sig, info, ctx)
    mov rsp, rbp                                # back to the entry stack
    pop rbp                                     # restore the caller's frame pointer
    .cfi_def_cfa rsp, 8                         # CFI: CFA = rsp+8 again
    .cfi_restore rbp                            # CFI: rbp holds the caller's value again
    ret                                         # into rt0_sigreturn (the frame's return address)
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_sigtramp, . - rt0_sigtramp

    .globl rt0_sigreturn
    .type rt0_sigreturn,@function
rt0_sigreturn:
    .cfi_startproc                              # CFI: the kernel's signal frame:
    .cfi_signal_frame                           #   the interrupted pc is exact
    .cfi_def_cfa rsp, 0                         # CFI: CFA = rsp = the ucontext
    .cfi_offset r8, {uc_r8}                     # CFI: each interrupted register in uc_mcontext
    .cfi_offset r9, {uc_r9}                     # CFI: (saved in the ucontext)
    .cfi_offset r10, {uc_r10}                   # CFI: (saved in the ucontext)
    .cfi_offset r11, {uc_r11}                   # CFI: (saved in the ucontext)
    .cfi_offset r12, {uc_r12}                   # CFI: (saved in the ucontext)
    .cfi_offset r13, {uc_r13}                   # CFI: (saved in the ucontext)
    .cfi_offset r14, {uc_r14}                   # CFI: (saved in the ucontext)
    .cfi_offset r15, {uc_r15}                   # CFI: (saved in the ucontext)
    .cfi_offset rdi, {uc_rdi}                   # CFI: (saved in the ucontext)
    .cfi_offset rsi, {uc_rsi}                   # CFI: (saved in the ucontext)
    .cfi_offset rbp, {uc_rbp}                   # CFI: (saved in the ucontext)
    .cfi_offset rbx, {uc_rbx}                   # CFI: (saved in the ucontext)
    .cfi_offset rdx, {uc_rdx}                   # CFI: (saved in the ucontext)
    .cfi_offset rax, {uc_rax}                   # CFI: (saved in the ucontext)
    .cfi_offset rcx, {uc_rcx}                   # CFI: (saved in the ucontext)
    .cfi_offset rsp, {uc_rsp}                   # CFI: the interrupted rsp
    .cfi_offset rip, {uc_rip}                   # CFI: the interrupted pc
    mov eax, {sys_rt_sigreturn}                 # SYS_rt_sigreturn: never returns
    syscall                                     # restores the interrupted context; never returns
    ud2                                         # not reached
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_sigreturn, . - rt0_sigreturn

    .globl rt0_asm_signal_end
rt0_asm_signal_end:                    # and ends: no asynchronous preemption in between
