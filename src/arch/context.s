# src/arch/context.s: switching between goroutines and g0.
#
# Go's gogo, mcall, systemstack, goexit and mstart (asm_amd64.s, proc.go).
# Intel syntax; offsets come in as const operands from src/arch/offsets.rs
# (asserted against the Rust structs in src/sched/context.rs); the
# scheduler functions called here are named by link name (src/arch/mod.rs).
#
# The current g lives one TLS slot below FS (m.tls[0]; FS = &m.tls[1]), at
# fs:[-{tls_g_slot_size}], so getg() and setg() are one instruction each.
#
# Go's own ABI has no callee-saved registers, so its gobuf holds only sp, pc
# and bp; rt0's Gobuf keeps bp too (mcall saves it, gogo restores it), so a
# parked goroutine's frame chain can be walked from gp.sched. Rust code
# follows the SysV ABI, where rbx, rbp and r12-r15 belong to the caller:
# mcall pushes them on the goroutine's stack before it leaves
# and the resume path pops them, so a goroutine resumed by gogo finds them as
# it left them. (MXCSR and the x87 control word are callee-saved too; no
# runtime or program code changes them, so they are not switched.)
#
# Call frame information (the .cfi_ directives; read by debug/cfi.rs and
# by gdb) lets a traceback walk through these frames or stop cleanly at
# them: `.cfi_undefined rip` marks a frame with no caller to show (gogo,
# goexit at the bottom of every goroutine stack, mstart at the bottom of
# every g0 stack, mcall once it is on g0); a parked goroutine unwinds from
# gp.sched (pc .Lmcall_resume) through mcall's pushes to its caller; a
# report written on g0 from a goroutine unwinds through systemstack back
# onto the goroutine's stack (its CFA is rbp-based, and rbp, callee-saved,
# still holds the goroutine's sp when f returns).

    .text
    .globl rt0_asm_context_start
rt0_asm_context_start:                  # this file's code begins (arch::preempt)

# fn gogo(buf: *const Gobuf) -> !          (Go: runtime.gogo)
# Restores the goroutine described by buf: sets g, switches stack, jumps to
# buf.pc with buf.ctxt in rdi (the first argument of a goroutine entry).
    .globl rt0_gogo
    .type rt0_gogo,@function
rt0_gogo:
    .cfi_startproc                              # CFI: gogo's frame:
    .cfi_undefined rip                          #   no caller to unwind to (it only jumps away)
    mov rdx, qword ptr [rdi + {gobuf_g}]        # gp = buf.g
    mov qword ptr fs:[-{tls_g_slot_size}], rdx  # setg(gp)
    mov rsp, qword ptr [rdi + {gobuf_sp}]       # onto gp's stack
    mov rbp, qword ptr [rdi + {gobuf_bp}]       # gp's frame pointer (0 for a new goroutine)
    mov rax, qword ptr [rdi + {gobuf_pc}]       # where gp continues
    mov rdi, qword ptr [rdi + {gobuf_ctxt}]     # ctxt as the first argument
    jmp rax                                     # run gp
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_gogo, . - rt0_gogo

# fn mcall(f: extern "C" fn(gp: *mut G) -> !)   (Go: runtime.mcall)
# Saves the current goroutine's state in gp.sched, switches to this M's g0
# stack and calls f(gp) there. f must not return: it ends in gogo (which may
# resume gp at .Lmcall_resume, returning from mcall) or in schedule().
    .globl rt0_mcall
    .type rt0_mcall,@function
rt0_mcall:
    .cfi_startproc                              # CFI: CFA = rsp+8, the return address at CFA-8
    push rbp                                    # callee-saved registers of our caller,
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+16
    .cfi_offset rbp, -16                        # CFI: rbp saved at CFA-16
    push rbx                                    #   kept on gp's own stack while it
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+24
    .cfi_offset rbx, -24                        # CFI: rbx saved at CFA-24
    push r12                                    #   is switched out
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+32
    .cfi_offset r12, -32                        # CFI: r12 saved at CFA-32
    push r13                                    #   (SysV callee-saved)
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+40
    .cfi_offset r13, -40                        # CFI: r13 saved at CFA-40
    push r14                                    #   (SysV callee-saved)
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+48
    .cfi_offset r14, -48                        # CFI: r14 saved at CFA-48
    push r15                                    #   (SysV callee-saved)
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+56: the state gp.sched.sp
    .cfi_offset r15, -56                        # CFI: r15 saved at CFA-56; the rules kept for
    .cfi_remember_state                         # CFI: .Lmcall_on_g0 and .Lmcall_resume below
    mov rax, qword ptr fs:[-{tls_g_slot_size}]  # gp = getg()
    mov qword ptr [rax + {g_sched_sp}], rsp     # gp.sched.sp = the saved registers
    lea rcx, [rip + .Lmcall_resume]             # where gogo(&gp.sched) comes back in
    mov qword ptr [rax + {g_sched_pc}], rcx     # gp.sched.pc
    mov qword ptr [rax + {g_sched_bp}], rbp     # gp.sched.bp: the caller's frame pointer
    mov rsi, rdi                                # f
    mov rdi, rax                                # f's argument: gp
    mov rcx, qword ptr [rax + {g_m}]            # mp = gp.m
    mov rdx, qword ptr [rcx + {m_g0}]           # g0 = mp.g0
    cmp rdx, rax                                # mcall from g0 would destroy g0's frames
    je .Lmcall_on_g0                            # mcall on g0 is a runtime bug
    mov qword ptr fs:[-{tls_g_slot_size}], rdx  # setg(g0)
    mov rsp, qword ptr [rdx + {g_sched_sp}]     # onto g0's stack (16-byte aligned)
    .cfi_undefined rip                          # CFI: on g0, f's frames end here (gp's are elsewhere)
    call rsi                                    # f(gp): never returns
    call rt0_mcall_returned                     # "fatal error: mcall: function returned"
    ud2                                         # not reached
.Lmcall_on_g0:
    .cfi_restore_state                          # CFI: still on the caller's stack, registers pushed
    .cfi_remember_state                         # CFI: kept again for .Lmcall_resume
    call rt0_mcall_on_g0                        # "fatal error: mcall called on g0"
    ud2                                         # not reached
.Lmcall_resume:
    .cfi_restore_state                          # CFI: gp.sched: CFA = rsp+56, as after the pushes
    pop r15                                     # the caller's registers, as pushed above
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+48
    .cfi_restore r15                            # CFI: r15 holds the caller's value again
    pop r14                                     #   (reverse order of the pushes)
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+40
    .cfi_restore r14                            # CFI: (restored)
    pop r13                                     #   (reverse order)
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+32
    .cfi_restore r13                            # CFI: (restored)
    pop r12                                     #   (reverse order)
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+24
    .cfi_restore r12                            # CFI: (restored)
    pop rbx                                     #   (reverse order)
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+16
    .cfi_restore rbx                            # CFI: (restored)
    pop rbp                                     #   (reverse order)
    .cfi_adjust_cfa_offset -8                   # CFI: CFA = rsp+8
    .cfi_restore rbp                            # CFI: (restored)
    ret                                         # back to whoever called mcall
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_mcall, . - rt0_mcall

# fn systemstack(f: extern "C" fn(arg: *mut u8), arg: *mut u8)   (Go: runtime.systemstack)
# Runs f(arg) on this M's g0 stack and returns on the caller's stack. Called
# on g0 already, it is a plain call.
    .globl rt0_systemstack
    .type rt0_systemstack,@function
rt0_systemstack:
    .cfi_startproc                              # CFI: CFA = rsp+8, the return address at CFA-8
    mov rax, qword ptr fs:[-{tls_g_slot_size}]  # gp = getg()
    mov rcx, qword ptr [rax + {g_m}]            # mp = gp.m
    mov rdx, qword ptr [rcx + {m_g0}]           # g0 = mp.g0
    cmp rax, rdx                                # already on g0?
    je .Lsystemstack_direct                     # then a plain call will do
    .cfi_remember_state                         # CFI: the entry rules, for .Lsystemstack_direct
    push rbp                                    # frame link for debuggers
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+16
    .cfi_offset rbp, -16                        # CFI: rbp saved at CFA-16
    mov rbp, rsp                                # frame pointer = this frame
    .cfi_def_cfa_register rbp                   # CFI: CFA = rbp+16 on either stack: rbp stays
                                                #   the goroutine's sp (f preserves it)
    mov r8, rsp                                 # the goroutine's sp, to come back to
    mov qword ptr fs:[-{tls_g_slot_size}], rdx  # setg(g0)
    mov rsp, qword ptr [rdx + {g_sched_sp}]     # onto g0's stack (16-byte aligned)
    push rax                                    # save gp
    push r8                                     # save the goroutine's sp; rsp stays aligned
    mov rax, rdi                                # f
    mov rdi, rsi                                # f's argument
    call rax                                    # f(arg)
    pop r8                                      # the goroutine's sp
    pop rax                                     # gp
    mov qword ptr fs:[-{tls_g_slot_size}], rax  # setg(gp)
    mov rsp, r8                                 # back onto the goroutine's stack
    pop rbp                                     # the caller's frame pointer
    .cfi_def_cfa rsp, 8                         # CFI: CFA = rsp+8 again
    .cfi_restore rbp                            # CFI: rbp holds the caller's value again
    ret                                         # back to the caller, on its stack
.Lsystemstack_direct:
    .cfi_restore_state                          # CFI: as at entry: nothing pushed
    mov rax, rdi                                # f
    mov rdi, rsi                                # f's argument
    jmp rax                                     # tail call: f returns to our caller
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_systemstack, . - rt0_systemstack

# The return address planted at the top of every goroutine's stack: the
# goroutine's entry function returns here.   (Go: runtime.goexit)
    .globl rt0_goexit
    .type rt0_goexit,@function
rt0_goexit:
    .cfi_startproc                              # CFI: goexit's frame, the bottom of every
    .cfi_undefined rip                          #   goroutine stack: no caller to unwind to
    nop                                         # newproc1 plants goexit+1, as Go does, so
                                                #   a traceback shows goexit as the caller
    call rt0_goexit1                            # mcall(goexit0): never returns
    ud2                                         # not reached
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_goexit, . - rt0_goexit

# fn mstart() -> !       (Go: runtime.mstart -> mstart0 -> mstart1)
# Every M's g0 enters the scheduler here. g0.sched.sp records the top of the
# g0 stack that every mcall restarts from: the frames above it (rt0_go, or
# the clone trampoline) are abandoned for good.
    .globl rt0_mstart
    .type rt0_mstart,@function
rt0_mstart:
    .cfi_startproc                              # CFI: mstart's frame, the bottom of every g0
    .cfi_undefined rip                          #   stack: the frames above are abandoned
    mov rax, qword ptr fs:[-{tls_g_slot_size}]  # g0 = getg()
    lea rcx, [rsp + 8]                          # the caller's sp (drop our return address)
    and rcx, -16                                # aligned, as calls need it
    mov qword ptr [rax + {g_sched_sp}], rcx     # g0.sched.sp
    mov rsp, rcx                                # restart from there
    call rt0_mstart1                            # mstart1(): schedule() forever
    ud2                                         # not reached
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_mstart, . - rt0_mstart

    .globl rt0_asm_context_end
rt0_asm_context_end:                    # and ends: no asynchronous preemption in between
