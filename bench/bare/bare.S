/* bare: the floor of the start-up figures (scripts/figures.sh). The kernel
 * execs it, _start calls exit_group(0), nothing else runs in user space:
 * what is left is the cost of execve, the page faults and exit itself.
 * Built with: gcc -nostdlib -static -o bare bare.S
 */
#include <asm/unistd.h>

        .text
        .globl  _start
_start:
        mov     $__NR_exit_group, %eax  /* syscall number in rax */
        xor     %edi, %edi              /* first argument (status 0) in rdi */
        syscall                         /* does not return */
