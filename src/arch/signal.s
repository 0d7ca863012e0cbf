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

    .text
    .globl rt0_asm_signal_start
rt0_asm_signal_start:                  # this file's code begins (arch::preempt)
    .globl rt0_sigtramp
    .type rt0_sigtramp,@function
rt0_sigtramp:
    push rbp                                    # keep the caller's frame pointer
    mov rbp, rsp                                # remember the entry stack pointer
    and rsp, -16                                # align: the call below leaves rsp+8 aligned
    lea rax, [rip + {handlers}]                 # the table of Rust handlers
    mov rax, [rax + rdi*8]                      # handlers[sig]; rdi, rsi, rdx stay the arguments
    call rax                                    # handler(sig, info, ctx)
    mov rsp, rbp                                # back to the entry stack
    pop rbp                                     # restore the caller's frame pointer
    ret                                         # into rt0_sigreturn (the frame's return address)
    .size rt0_sigtramp, . - rt0_sigtramp

    .globl rt0_sigreturn
    .type rt0_sigreturn,@function
rt0_sigreturn:
    mov eax, {sys_rt_sigreturn}                 # SYS_rt_sigreturn: never returns
    syscall                                     # restores the interrupted context; never returns
    ud2                                         # not reached
    .size rt0_sigreturn, . - rt0_sigreturn

    .globl rt0_asm_signal_end
rt0_asm_signal_end:                    # and ends: no asynchronous preemption in between
