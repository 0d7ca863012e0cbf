# asm/signal.s: the signal return trampoline.   (Go: runtime.sigreturn__sigaction)
#
# With no libc there is no restorer to name in sa_restorer: the kernel makes
# a signal handler return into this code, which asks the kernel to restore
# the interrupted context from the signal frame at rsp.

    .text
    .globl rt0_sigreturn
    .type rt0_sigreturn,@function
rt0_sigreturn:
    mov eax, {sys_rt_sigreturn}                 # SYS_rt_sigreturn: never returns
    syscall                                     # restores the interrupted context; never returns
    ud2                                         # not reached
    .size rt0_sigreturn, . - rt0_sigreturn
