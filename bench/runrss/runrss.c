/* runrss: run a program and report its peak resident set size.
 *
 *   runrss REPORT_FILE PROGRAM [ARGS...]
 *
 * Forks, execs PROGRAM, waits with wait4 and writes to REPORT_FILE one line
 *   status=<raw wait status> maxrss_kb=<ru_maxrss>
 * then exits 0 (the caller decodes the status).
 *
 * Why not wait4 straight from the Python harness: Linux keeps, across
 * fork and exec, the high-water RSS of the process that forked (fork copies
 * the mm with its hiwater mark; exec folds the old mm's mark into
 * signal->maxrss). Every child of a 15 MB Python reports at least 15 MB.
 * This launcher is small and static, so the floor it leaves is a few
 * hundred KiB; bench.py measures that floor on a bare binary and prints it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s REPORT_FILE PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("runrss: fork");
        return 2;
    }
    if (pid == 0) {
        execv(argv[2], argv + 2);
        perror("runrss: execv");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("runrss: wait4");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (f == NULL) {
        perror("runrss: report file");
        return 2;
    }
    fprintf(f, "status=%d maxrss_kb=%ld\n", status, ru.ru_maxrss);
    return fclose(f) == 0 ? 0 : 2;
}
