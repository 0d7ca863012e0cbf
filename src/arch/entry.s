# src/arch/entry.s: _start and rt0_go, the path from the kernel to the scheduler.
#
# Reproduces Go's _rt0_amd64 and runtime.rt0_go (asm_amd64.s) step by step;
# each block names the Go line it mirrors. Intel syntax. Every number comes
# in as a const operand from src/arch/entry.rs; the probe's results are sym
# operands (src/arch/cpu.rs); g0, m0 and the Rust steps of the bootstrap
# belong to higher layers and are named by link name (src/arch/mod.rs).
#
# The kernel starts us with (see `man 2 execve`, psABI 3.4.1):
#
#     rsp ->  argc                      8 bytes
#             argv[0] .. argv[argc-1]   pointers
#             NULL
#             envp[0] .. envp[n-1]      pointers
#             NULL
#             auxv (type, value) pairs, ending with AT_NULL
#             ... strings, AT_RANDOM bytes, padding ...
#
# rdx holds a function for atexit (the dynamic loader's); a static binary
# has none and we ignore it. Every other register is unspecified except rsp.
#
# Call frame information: _start and rt0_go are the outermost frames of
# the process (`.cfi_undefined rip`: no caller), so an unwinder
# (debug/cfi.rs, gdb) stops there instead of reading the initial stack.

    .section .text.entry,"ax",@progbits
    .globl _start
    .type _start,@function
# fn _start() -> !     (Go: _rt0_amd64)
_start:
    .cfi_startproc                              # CFI: _start's frame:
    .cfi_undefined rip                          #   the outermost, no caller
    xor ebp, ebp                                # outermost frame: rbp = 0 ends frame walks (psABI)
    mov rdi, qword ptr [rsp]                    # MOVQ 0(SP), DI: argc
    lea rsi, [rsp + 8]                          # LEAQ 8(SP), SI: argv
    jmp rt0_go                                  # JMP runtime.rt0_go
    .cfi_endproc                                # CFI: the frame description ends
    .size _start, . - _start

    .text
    .globl rt0_go
    .type rt0_go,@function
# fn rt0_go(argc: i64 /* rdi */, argv: *const *const u8 /* rsi */) -> !
rt0_go:
    .cfi_startproc                              # CFI: rt0_go's frame (jumped to by _start):
    .cfi_undefined rip                          #   the outermost, no caller
    # --- copy arguments forward on an even stack ---
    mov r12, rdi                                # MOVQ DI, AX: argc, kept in a callee-saved register
    mov r13, rsi                                # MOVQ SI, BX: argv, likewise
    and rsp, -16                                # ANDQ $~15, SP: 16-byte alignment for calls (psABI)

    # --- create istack out of the given (operating system) stack ---
    mov qword ptr [rip + rt0_g0 + {g_stack_hi}], rsp   # g0.stack.hi = SP
    lea rax, [rsp - {g0_stack_size}]                   # SP - 64 KiB
    mov qword ptr [rip + rt0_g0 + {g_stack_lo}], rax   # g0.stack.lo
    add rax, {stack_guard}                             # lo + the guard distance
    mov qword ptr [rip + rt0_g0 + {g_stackguard0}], rax # g0.stackguard0
    mov qword ptr [rip + rt0_g0 + {g_stackguard1}], rax # g0.stackguard1

    # --- find out information about the processor we're on ---
    xor eax, eax                                # MOVL $0, AX: leaf 0
    cpuid                                       # eax = max leaf; ebx,edx,ecx = vendor
    mov dword ptr [rip + {cpu_maxleaf}], eax    # kept for cpuinit and inittrace
    mov dword ptr [rip + {cpu_vendor}], ebx     # vendor bytes 0..4
    mov dword ptr [rip + {cpu_vendor} + 4], edx # vendor bytes 4..8
    mov dword ptr [rip + {cpu_vendor} + 8], ecx # vendor bytes 8..12
    mov r14d, eax                               # MOVL AX, SI: max leaf, for the leaf-7 test
    test eax, eax                               # CMPL AX, $0
    je .Lrt0_nocpuinfo                          # JE nocpuinfo: no leaves beyond 0

    # Figure out how to serialize RDTSC: LFENCE on Intel, MFENCE elsewhere.
    cmp ebx, {vendor_genu}                      # "Genu"
    jne .Lrt0_notintel                          # not Intel
    cmp edx, {vendor_inei}                      # "ineI"
    jne .Lrt0_notintel                          # not Intel
    cmp ecx, {vendor_ntel}                      # "ntel"
    jne .Lrt0_notintel                          # not Intel
    mov byte ptr [rip + {is_intel}], 1          # MOVB $1, runtime.isIntel
    mov byte ptr [rip + {lfence_before_rdtsc}], 1 # MOVB $1, runtime.lfenceBeforeRdtsc
.Lrt0_notintel:

    # Load EAX=1 cpuid flags.
    mov eax, 1                                  # MOVL $1, AX
    cpuid                                       # eax = version, ecx/edx = feature bits
    mov dword ptr [rip + {processor_version_info}], eax # runtime.processorVersionInfo
    mov dword ptr [rip + {cpu_leaf1} + 4], ebx  # leaf 1 kept whole for cpuinit, which
    mov dword ptr [rip + {cpu_leaf1} + 8], ecx  #   decodes it without another CPUID
    mov dword ptr [rip + {cpu_leaf1} + 12], edx #   (each one traps to the hypervisor in a VM)
    test edx, {bit_sse2}                        # TESTL $(1<<26), DX: SSE2
    setne byte ptr [rip + {support_sse2}]       #   SETNE runtime.support_sse2
    test ecx, {bit_ssse3}                       # TESTL $(1<<9), CX: SSSE3
    setne byte ptr [rip + {support_ssse3}]      #   SETNE runtime.support_ssse3
    test ecx, {bit_sse41}                       # TESTL $(1<<19), CX: SSE4.1
    setne byte ptr [rip + {support_sse41}]      #   SETNE runtime.support_sse41
    test ecx, {bit_sse42}                       # TESTL $(1<<20), CX: SSE4.2
    setne byte ptr [rip + {support_sse42}]      #   SETNE runtime.support_sse42
    test ecx, {bit_popcnt}                      # TESTL $(1<<23), CX: POPCNT
    setne byte ptr [rip + {support_popcnt}]     #   SETNE runtime.support_popcnt
    test ecx, {bit_aes}                         # TESTL $(1<<25), CX: AES
    setne byte ptr [rip + {support_aes}]        #   SETNE runtime.support_aes
    test ecx, {bit_osxsave}                     # TESTL $(1<<27), CX: OSXSAVE
    setne byte ptr [rip + {support_osxsave}]    #   SETNE runtime.support_osxsave
    test ecx, {bit_avx}                         # TESTL $(1<<28), CX: AVX, cleared below
    setne byte ptr [rip + {support_avx}]        #   if the OS does not save YMM state

    # Load EAX=7/ECX=0 cpuid flags, only where leaf 7 exists.
    cmp r14d, 7                                 # CMPL SI, $7
    jb .Lrt0_osavx                              # JLT osavx (leaves are unsigned)
    mov eax, 7                                  # MOVL $7, AX
    xor ecx, ecx                                # MOVL $0, CX: subleaf 0
    cpuid                                       # ebx = structured extended features
    mov dword ptr [rip + {cpu_leaf7}], eax      # leaf 7 kept whole for cpuinit
    mov dword ptr [rip + {cpu_leaf7} + 4], ebx  #   ebx
    mov dword ptr [rip + {cpu_leaf7} + 8], ecx  #   ecx
    mov dword ptr [rip + {cpu_leaf7} + 12], edx #   edx
    test ebx, {bit_bmi1}                        # TESTL $(1<<3), BX: BMI1
    setne byte ptr [rip + {support_bmi1}]       #   SETNE runtime.support_bmi1
    test ebx, {bit_avx2}                        # TESTL $(1<<5), BX: AVX2, cleared below
    setne byte ptr [rip + {support_avx2}]       #   if the OS does not save YMM state
    test ebx, {bit_bmi2}                        # TESTL $(1<<8), BX: BMI2
    setne byte ptr [rip + {support_bmi2}]       #   SETNE runtime.support_bmi2
    test ebx, {bit_erms}                        # TESTL $(1<<9), BX: ERMS
    setne byte ptr [rip + {support_erms}]       #   SETNE runtime.support_erms

.Lrt0_osavx:
    cmp byte ptr [rip + {support_osxsave}], 1   # CMPB support_osxsave, $1
    jne .Lrt0_noavx                             # XGETBV faults (#UD) without OSXSAVE
    xor ecx, ecx                                # MOVL $0, CX: XCR0
    xgetbv                                      # edx:eax = XCR0
    and eax, {xcr0_sse_avx}                     # ANDL $6, AX: XMM and YMM state bits
    cmp eax, {xcr0_sse_avx}                     # CMPL AX, $6: both enabled by the OS?
    je .Lrt0_nocpuinfo                          # JE nocpuinfo: AVX/AVX2 stay as probed
.Lrt0_noavx:
    mov byte ptr [rip + {support_avx}], 0       # MOVB $0, runtime.support_avx
    mov byte ptr [rip + {support_avx2}], 0      # MOVB $0, runtime.support_avx2

.Lrt0_nocpuinfo:
    # --- needtls: settls(&m0.tls) then store through it ---
    lea rsi, [rip + rt0_m0 + {m_tls} + {tls_g_slot_size}] # settls: ADDQ $8, DI -> FS = &m0.tls[1]
    mov edi, {arch_set_fs}                      # MOVQ $ARCH_SET_FS, DI (0x1002)
    mov eax, {sys_arch_prctl}                   # MOVQ $SYS_arch_prctl, AX
    syscall                                     # clobbers rcx, r11 (and rax = result)
    cmp rax, {neg_max_errno}                    # CMPQ AX, $0xfffffffffffff001
    jae .Lrt0_tls_failed                        # -4095..-1: the kernel said no

    mov qword ptr fs:[-{tls_g_slot_size}], {tls_check_value} # MOVQ $0x123, g(BX): store through FS
    mov rax, qword ptr [rip + rt0_m0 + {m_tls}] # MOVQ m0+m_tls, AX: read back through memory
    cmp rax, {tls_check_value}                  # CMPQ AX, $0x123
    jne .Lrt0_tls_mismatch                      # FS does not point where we said

    # --- set the per-goroutine and per-mach "registers" ---
    lea rcx, [rip + rt0_g0]                     # LEAQ runtime.g0, CX
    mov qword ptr fs:[-{tls_g_slot_size}], rcx  # MOVQ CX, g(BX): g = g0
    lea rax, [rip + rt0_m0]                     # LEAQ runtime.m0, AX
    mov qword ptr [rax + {m_g0}], rcx           # m0.g0 = g0
    mov qword ptr [rax + {m_curg}], 0           # m0.curg = nil until a goroutine runs
    mov qword ptr [rcx + {g_m}], rax            # g0.m = m0
    cld                                         # convention: direction flag always clear

    call rt0_check                              # CALL runtime.check
    mov rdi, r12                                # argc
    mov rsi, r13                                # argv
    call rt0_args                               # CALL runtime.args
    call rt0_osinit                             # CALL runtime.osinit
    call rt0_schedinit                          # CALL runtime.schedinit

    # create a new goroutine to start program
    lea rdi, [rip + rt0_runtime_main]           # MOVQ $runtime.mainPC, AX: entry
    call rt0_newproc_pc                         # CALL runtime.newproc

    # start this M
    call rt0_mstart                             # CALL runtime.mstart: never returns
    ud2                                         # MOVL $0xf1, 0xf1: crash if it did

.Lrt0_tls_failed:
    mov rdi, rax                                # the -errno result
    call rt0_tls_failed                         # prints "fatal error: ..." and exits 2
    ud2                                         # not reached
.Lrt0_tls_mismatch:
    mov rdi, rax                                # the value read back
    call rt0_tls_mismatch                       # prints "fatal error: ..." and exits 2
    ud2                                         # not reached
    .cfi_endproc                                # CFI: the frame description ends
    .size rt0_go, . - rt0_go
