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

    .text
    .globl rt0_asm_preempt_start
rt0_asm_preempt_start:

    .globl rt0_async_preempt
    .type rt0_async_preempt,@function
rt0_async_preempt:
    push rbp                                    # frame link: [rbp+8] is the interrupted pc,
    mov rbp, rsp                                #   so the frame chain reads as a call from it
    pushfq                                      # rflags (DF, the arithmetic flags, ...)
    push rax                                    # every general register but rsp and rbp
    push rbx                                    #   (rbp is pushed above, rsp is
    push rcx                                    #   recomputed by the final ret)
    push rdx                                    # (general register)
    push rsi                                    # (general register)
    push rdi                                    # (general register)
    push r8                                     # (general register)
    push r9                                     # (general register)
    push r10                                    # (general register)
    push r11                                    # (general register)
    push r12                                    # (general register)
    push r13                                    # (general register)
    push r14                                    # (general register)
    push r15                                    # (general register)
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
    pop r14                                     # (general register)
    pop r13                                     # (general register)
    pop r12                                     # (general register)
    pop r11                                     # (general register)
    pop r10                                     # (general register)
    pop r9                                      # (general register)
    pop r8                                      # (general register)
    pop rdi                                     # (general register)
    pop rsi                                     # (general register)
    pop rdx                                     # (general register)
    pop rcx                                     # (general register)
    pop rbx                                     # (general register)
    pop rax                                     # (general register)
    popfq                                       # rflags, last: nothing after it changes them
    pop rbp                                     # the interrupted frame pointer
    ret {red_zone}                              # to the interrupted pc, and skip the red zone:
                                                #   rsp is exactly the interrupted rsp again
    .size rt0_async_preempt, . - rt0_async_preempt

    .globl rt0_asm_preempt_end
rt0_asm_preempt_end:
