/* spawn REPORT PROGRAM [ARG...]: runs PROGRAM, waits for it with wait4 and writes
 * "<wall seconds> <peak RSS in KiB>" of that one process to REPORT; exits with its exit code.
 *
 * Why not os.wait4 from Python directly: when a process calls execve, Linux records the peak RSS
 * of the address space it leaves as the new program's starting ru_maxrss. A child of the Python
 * harness therefore never reports less than the harness's own peak (about 20 MB), however small
 * it is. This launcher is a few hundred KiB, so the command it forks starts from almost nothing.
 * Built by the harness with the C compiler retort's own build already needs (cc). */

#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: spawn REPORT PROGRAM [ARG...]\n");
        return 2;
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid < 0) {
        perror("spawn: fork");
        return 127;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) {
        perror("spawn: wait4");
        return 127;
    }
    double wall = seconds_since(&start);
    FILE *report = fopen(argv[1], "w");
    if (report == NULL) {
        perror(argv[1]);
        return 127;
    }
    fprintf(report, "%.6f %ld\n", wall, usage.ru_maxrss);
    fclose(report);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
