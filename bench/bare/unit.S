/* unit: what one start-up ingredient costs on this machine, for the
 * start-up figures (scripts/figures.sh). Built three times with
 * -DUNIT=1 (cpuid), 2 (page fault) or 3 (thread): each is bare.S plus
 * COUNT of one thing, so (its time - bare's) / COUNT is the price of one
 * CPUID (a trap to the hypervisor in a VM), one anonymous page's first
 * touch, or one clone of a thread that the exit then kills.
 * Built with: gcc -nostdlib -static -DUNIT=N -o unitN unit.S
 */
#include <asm/unistd.h>

/* mmap(2) arguments (sys/mman.h is C only) */
#define PROT_READ       0x1
#define PROT_WRITE      0x2
#define MAP_PRIVATE     0x02
#define MAP_ANONYMOUS   0x20

/* clone(2) flags (linux/sched.h, which is C only) */
#define CLONE_VM        0x00000100
#define CLONE_FS        0x00000200
#define CLONE_FILES     0x00000400
#define CLONE_SIGHAND   0x00000800
#define CLONE_THREAD    0x00010000

#define COUNT           10              /* things per run */
#define PAGE            4096
#define THREAD_STACK    65536           /* the clone child's stack */
#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)

        .text
        .globl  _start
_start:
#if UNIT == 1
        mov     $COUNT, %r12d           /* r12: CPUIDs left */
1:      xor     %eax, %eax              /* leaf 0 */
        xor     %ecx, %ecx              /* subleaf 0 */
        cpuid                           /* traps in a VM; clobbers eax..edx */
        dec     %r12d                   /* one done */
        jnz     1b                      /* more to go */
#elif UNIT == 2
        mov     $__NR_mmap, %eax        /* mmap(NULL, COUNT pages, RW, private anon) */
        xor     %edi, %edi              /* addr: the kernel's choice */
        mov     $(COUNT * PAGE), %esi   /* length */
        mov     $(PROT_READ | PROT_WRITE), %edx /* prot */
        mov     $(MAP_PRIVATE | MAP_ANONYMOUS), %r10d /* flags */
        mov     $-1, %r8                /* fd: none */
        xor     %r9d, %r9d              /* offset */
        syscall                         /* rax: the mapping */
        mov     $COUNT, %ecx            /* rcx: pages left */
1:      movb    $1, (%rax)              /* first touch: one page fault */
        add     $PAGE, %rax             /* next page */
        dec     %ecx                    /* one done */
        jnz     1b                      /* more to go */
#elif UNIT == 3
        mov     $COUNT, %r12d           /* r12: threads left */
1:      mov     $__NR_mmap, %eax        /* the child's stack */
        xor     %edi, %edi              /* addr: the kernel's choice */
        mov     $THREAD_STACK, %esi     /* length */
        mov     $(PROT_READ | PROT_WRITE), %edx /* prot */
        mov     $(MAP_PRIVATE | MAP_ANONYMOUS), %r10d /* flags */
        mov     $-1, %r8                /* fd: none */
        xor     %r9d, %r9d              /* offset */
        syscall                         /* rax: the stack's low end */
        lea     THREAD_STACK(%rax), %rsi /* clone's stack: its high end */
        mov     $__NR_clone, %eax       /* clone(flags, stack, 0, 0, 0) */
        mov     $CLONE_THREAD_FLAGS, %edi /* a thread of this process */
        xor     %edx, %edx              /* parent_tid: none */
        xor     %r10d, %r10d            /* child_tid: none */
        xor     %r8d, %r8d              /* tls: none */
        syscall                         /* parent: tid; child: 0 */
        test    %eax, %eax              /* which one are we? */
        jz      2f                      /* the child parks below */
        dec     %r12d                   /* one more thread */
        jnz     1b                      /* more to go */
#endif
        mov     $__NR_exit_group, %eax  /* exit_group(0): kills any threads */
        xor     %edi, %edi              /* status 0 */
        syscall                         /* does not return */
#if UNIT == 3
2:      mov     $__NR_pause, %eax       /* the child: sleep until killed */
        syscall                         /* returns only on a signal */
        jmp     2b                      /* sleep again */
#endif
