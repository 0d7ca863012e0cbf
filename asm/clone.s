# asm/clone.s: starting an OS thread for a new M.   (Go: runtime.clone in sys_linux_amd64.s)
#
# fn rt0_clone(flags: u64 /* rdi */, stack_top: usize /* rsi */, mp: *mut M /* rdx */,
#              g0: *mut G /* rcx */, start: extern "C" fn() -> ! /* r8 */) -> i64
#
# The parent gets the new thread's id (or -errno) back. The child wakes up
# on stack_top with FS = &mp.tls[1] (CLONE_SETTLS), sets g = g0 and calls
# start(), which never returns. The kernel copies every register into the
# child, so mp, g0 and start travel in callee-saved registers; rcx and r11
# are clobbered by `syscall` and rax holds the result (0 in the child).

    .text
    .globl rt0_clone
    .type rt0_clone,@function
rt0_clone:
    push r12                                    # callee-saved registers we borrow,
    push r13                                    #   restored on the parent's way out
    push r14                                    # (third borrowed register)
    mov r12, rdx                                # mp
    mov r13, rcx                                # g0
    mov r14, r8                                 # start
    lea r8, [r12 + {m_tls} + {tls_g_slot_size}] # clone's tls argument: FS = &mp.tls[1]
    xor edx, edx                                # parent_tid: not wanted
    xor r10d, r10d                              # child_tid: not wanted
    mov eax, {sys_clone}                        # SYS_clone(flags, stack, ptid, ctid, tls)
    syscall                                     # clobbers rcx, r11
    test rax, rax                               # 0 in the child
    jz .Lclone_child                            # the child goes its own way
    pop r14                                     # parent: restore and return tid or -errno
    pop r13                                     # (restore)
    pop r12                                     # (restore)
    ret                                         # rax = tid or -errno
.Lclone_child:
    xor ebp, ebp                                # outermost frame of the new thread
    mov qword ptr fs:[-8], r13                  # setg(g0): FS was set by CLONE_SETTLS
    mov qword ptr [r13 + {g_m}], r12            # g0.m = mp
    call r14                                    # start(): mstart, never returns
    ud2                                         # not reached
    .size rt0_clone, . - rt0_clone
