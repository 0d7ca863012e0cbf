# src/arch/preempt.s: the routine an asynchronous preemption makes a
# goroutine call.   (Go: runtime.asyncPreempt, preempt_amd64.s)
#
# The SIGURG handler (sched/preempt.rs) decided the interrupted point is
# safe. It left the goroutine's 128-byte red zone alone (the SysV ABI lets
# a leaf function keep data below rsp; Go's ABI does not, so Go's routine
# has no such gap), stored the interrupted pc below it, and resumed the
# goroutine here, as if that pc had called us:
#
#     interrupted rsp  ->  [ the goroutine's data ]
#                          [ 128-byte red zone, untouched ]
#     our entry rsp    ->  [ interrupted pc ]   (our "return address")
#
# Everything the interrupted code may hold is saved on the goroutine's own
# stack, so it survives a resumption on another M: every general register,
# rflags, and the whole extended state (x87, MXCSR, XMM, YMM, opmask, ZMM,
# whatever XCR0 enables and cpuinit put in {xsave_mask}) with XSAVE into a
# 64-byte aligned area of {xsave_size} bytes; with {xsave_size} 0 (no
# OSXSAVE) FXSAVE's 512 bytes. Then rt0_async_preempt2 yields the P; when
# the goroutine runs again it returns here, and everything is restored
# exactly, rsp included (`ret` pops the pc and skips the red zone).
#
# Between the save and the restore the thread runs the scheduler and then
# other goroutines, which expect what the ABI promises at a call: DF
# clear, an empty x87 stack with the default control word, MXCSR's
# default modes. The interrupted code may hold anything there (a full x87
# stack, another rounding mode), so the routine puts the defaults back
# once everything is saved.
#
# rt0_asm_preempt_start/end bound this file: the handler never preempts a
# goroutine whose pc is in here (nor in any other asm file's range).
#
# Call frame information (the .cfi_ directives; read by debug/cfi.rs and
# by gdb): a goroutine preempted here is parked inside
# rt0_async_preempt2, and its traceback must go on to the interrupted
# function with that function's own registers. The frame is described as
# a signal frame (the interrupted pc is no return address: the caller's
# pc is looked up as it is, not as pc-1). With CFA = our entry rsp + 8
# (the usual: the address above the "return address"), the interrupted
# pc is at CFA-8, rbp at CFA-16, rflags at CFA-24 (no DWARF register
# rule: not described), rax at CFA-32 ... r15 at CFA-136, and the
# interrupted rsp is CFA+128 (the red zone skipped): a value, not a
# slot. From `mov rbp, rsp` until rbp is popped the CFA is rbp+16 (rsp
# itself moves with the aligned save area).

    .text
    .globl rt0_asm_preempt_start
rt0_asm_preempt_start:

    .globl rt0_async_preempt
    .type rt0_async_preempt,@function
rt0_async_preempt:
    .cfi_startproc                              # CFI: CFA = rsp+8, the pc at CFA-8 (the CIE's rules)
    .cfi_signal_frame                           # CFI: the caller's pc is exact (interrupted, not called)
    .cfi_val_offset rsp, {red_zone}             # CFI: the interrupted rsp = CFA + the red zone
    push rbp                                    # frame link: [rbp+8] is the interrupted pc,
    .cfi_adjust_cfa_offset 8                    # CFI: CFA = rsp+16
    .cfi_offset rbp, -16                        # CFI: rbp saved at CFA-16
    mov rbp, rsp                                #   so the frame chain reads as a call from it
    .cfi_def_cfa_register rbp                   # CFI: CFA = rbp+16 until rbp is popped
    pushfq                                      # rflags (DF, the arithmetic flags, ...)
    push rax                                    # every general register but rsp and rbp
    .cfi_offset rax, -32                        # CFI: rax saved at CFA-32
    push rbx                                    #   (rbp is pushed above, rsp is
    .cfi_offset rbx, -40                        # CFI: rbx saved at CFA-40
    push rcx                                    #   recomputed by the final ret)
    .cfi_offset rcx, -48                        # CFI: rcx saved at CFA-48
    push rdx                                    # (general register)
    .cfi_offset rdx, -56                        # CFI: rdx saved at CFA-56
    push rsi                                    # (general register)
    .cfi_offset rsi, -64                        # CFI: rsi saved at CFA-64
    push rdi                                    # (general register)
    .cfi_offset rdi, -72                        # CFI: rdi saved at CFA-72
    push r8                                     # (general register)
    .cfi_offset r8, -80                         # CFI: r8 saved at CFA-80
    push r9                                     # (general register)
    .cfi_offset r9, -88                         # CFI: r9 saved at CFA-88
    push r10                                    # (general register)
    .cfi_offset r10, -96                        # CFI: r10 saved at CFA-96
    push r11                                    # (general register)
    .cfi_offset r11, -104                       # CFI: r11 saved at CFA-104
    push r12                                    # (general register)
    .cfi_offset r12, -112                       # CFI: r12 saved at CFA-112
    push r13                                    # (general register)
    .cfi_offset r13, -120                       # CFI: r13 saved at CFA-120
    push r14                                    # (general register)
    .cfi_offset r14, -128                       # CFI: r14 saved at CFA-128
    push r15                                    # (general register)
    .cfi_offset r15, -136                       # CFI: r15 saved at CFA-136
    mov r12, rsp                                # r12 = the saved registers; callee-saved, so
                                                #   it survives the call (and the switch)
    mov rax, qword ptr [rip + {xsave_size}]     # bytes of the XSAVE area, 0 for FXSAVE
    test rax, rax                               # XSAVE enabled by the OS?
    jz .Lpreempt_fxsave                         # no: the legacy 512-byte area
    sub rsp, rax                                # room for the XSAVE area
    and rsp, -64                                # which must be 64-byte aligned
    xor ecx, ecx                                # the XSAVE header (bytes 512..575) must start
    mov qword ptr [rsp + 512], rcx              #   zeroed: XSAVE writes only XSTATE_BV, and
    mov qword ptr [rsp + 520], rcx              #   XRSTOR faults on a non-zero XCOMP_BV or
    mov qword ptr [rsp + 528], rcx              #   reserved bytes left over from the stack
    mov qword ptr [rsp + 536], rcx              # (header, continued)
    mov qword ptr [rsp + 544], rcx              # (header, continued)
    mov qword ptr [rsp + 552], rcx              # (header, continued)
    mov qword ptr [rsp + 560], rcx              # (header, continued)
    mov qword ptr [rsp + 568], rcx              # (header, continued)
    mov eax, dword ptr [rip + {xsave_mask}]     # edx:eax = the components to save
    mov edx, dword ptr [rip + {xsave_mask} + 4] #   (XCR0 as cpuinit found it)
    xsave [rsp]                                 # save the extended state
    jmp .Lpreempt_saved                         # on to the yield
.Lpreempt_fxsave:
    sub rsp, {fxsave_size}                      # room for the FXSAVE area
    and rsp, -64                                # 16-byte alignment needed (64 kept)
    fxsave [rsp]                                # x87, MXCSR, XMM0-15
.Lpreempt_saved:
    cld                                         # the ABI wants DF clear at a call,
    fninit                                      #   the x87 stack empty, its control word 0x37f,
    push {mxcsr_default}                        #   and MXCSR's default modes: the scheduler
    ldmxcsr dword ptr [rsp]                     #   and the goroutines it runs next must not
    add rsp, 8                                  #   inherit the interrupted ones (saved above)
    test byte ptr [rip + {xsave_mask}], {xcr0_avx} # AVX state enabled?
    jz .Lpreempt_clean                          # no: nothing more to clean
    vzeroupper                                  # upper YMM halves clean: no SSE/AVX transition
.Lpreempt_clean:                                #   penalty for the SSE code that runs next
    call rt0_async_preempt2                     # yield the P; returns when rescheduled
    mov rax, qword ptr [rip + {xsave_size}]     # the same choice as on the way in
    test rax, rax                               # XSAVE area?
    jz .Lpreempt_fxrstor                        # no: FXSAVE's
    mov eax, dword ptr [rip + {xsave_mask}]     # edx:eax = the components saved
    mov edx, dword ptr [rip + {xsave_mask} + 4] #   (the same mask)
    xrstor [rsp]                                # restore the extended state
    jmp .Lpreempt_restored                      # on to the registers
.Lpreempt_fxrstor:
    fxrstor [rsp]                               # x87, MXCSR, XMM0-15
.Lpreempt_restored:
    mov rsp, r12                                # back to the saved registers
    pop r15                                     # in the reverse order of the pushes
    .cfi_restore r15                            # CFI: r15 holds the interrupted value again
    pop r14                                     # (general register)
    .cfi_restore r14                            # CFI: (likewise for each register popped)
    pop r13                                     # (general register)
    .cfi_restore r13                            # CFI: (restored)
    pop r12                                     # (general register)
    .cfi_restore r12                            # CFI: (restored)
    pop r11                                     # (general register)
    .cfi_restore r11                            # CFI: (restored)
    pop r10                                     # (general register)
    .cfi_restore r10                            # CFI: (restored)
    pop r9                                      # (general register)
    .cfi_restore r9                             # CFI: (restored)
    pop r8                                      # (general register)
    .cfi_restore r8                             # CFI: (restored)
    pop rdi                                     # (general register)
    .cfi_restore rdi                            # CFI: (restored)
    pop rsi                                     # (general register)
    .cfi_restore rsi                            # CFI: (restored)
    pop rdx                                     # (general register)
    .cfi_restore rdx                            # CFI: (restored)
    pop rcx                                     # (general register)
    .cfi_restore rcx                            # CFI: (restored)
    pop rbx                                     # (general register)
    .cfi_restore rbx                            # CFI: (restored)
    pop rax                                     # (general register)
    .cfi_restore rax                            # CFI: (restored)
    popfq                                       # rflags, last: nothing after it changes them
    pop rbp                                     # the interrupted frame pointer
    .cfi_def_cfa rsp, 8                         # CFI: CFA = rsp+8 again, the pc at [rsp]
    .cfi_restore rbp                            # CFI: rbp holds the interrupted value again
    ret {red_zone}                              # to the interrupted pc, and skip the red zone:
                                                #   rsp is exactly the interrupted rsp again
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_async_preempt, . - rt0_async_preempt

    .globl rt0_asm_preempt_end
rt0_asm_preempt_end:
