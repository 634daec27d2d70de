/* milestones-launch: what launch.make_preexec does in Python, exec'd instead.
 *
 *   milestones-launch [-j FILE]... [-r RESOURCE:SOFT:HARD]... [-c CORE]...
 *                     [-u UID -g GID] -- /abs/path/to/bwrap ARG...
 *
 * In this order: join each cgroup (write "0", this very process, to FILE),
 * set each rlimit, pin to the cores, drop supplementary groups, gid and uid
 * for good, then execv the command. Any step failing ends it with status 126
 * and a line on stderr (the run's log), never with the command started: the
 * caller reads no exec report from bwrap and raises SandboxUnavailable.
 *
 * Why a program and not Popen's preexec_fn: a preexec_fn forces fork (page
 * tables of the whole worker copied) and runs Python in the child; without one
 * Popen uses vfork, and this does the same few syscalls in well under 1 ms.
 * Built by worker/sandbox/launcher.py; where it cannot be, the preexec_fn stays.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define FAILED 126

static void fail(const char *step, const char *what) {
    fprintf(stderr, "milestones-launch: %s %s: %s\n", step, what, strerror(errno));
    _exit(FAILED);
}

static void usage(const char *why) {
    fprintf(stderr, "milestones-launch: %s\n", why);
    _exit(FAILED);
}

/* A whole decimal number, nothing else. */
static unsigned long long number(const char *text) {
    char *end;
    errno = 0;
    if (*text < '0' || *text > '9')
        usage("not a number");
    unsigned long long value = strtoull(text, &end, 10);
    if (errno || *end)
        usage("not a number");
    return value;
}

static void join(const char *file) {
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        fail("open", file);
    if (write(fd, "0", 1) != 1)
        fail("join", file);
    close(fd);
}

static void limit(char *spec) {
    char *soft = strchr(spec, ':');
    char *hard = soft ? strchr(soft + 1, ':') : NULL;
    if (!hard)
        usage("rlimit is RESOURCE:SOFT:HARD");
    *soft++ = '\0';
    *hard++ = '\0';
    struct rlimit value = {.rlim_cur = number(soft), .rlim_max = number(hard)};
    if (setrlimit((int)number(spec), &value) != 0)
        fail("setrlimit", spec);
}

int main(int argc, char **argv) {
    cpu_set_t cores;
    int pinned = 0, command = 0;
    long long uid = -1, gid = -1;
    CPU_ZERO(&cores);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            command = i + 1;
            break;
        }
        if (i + 1 >= argc || argv[i][0] != '-' || argv[i][1] == '\0' || argv[i][2] != '\0')
            usage("bad option");
        char *value = argv[++i];
        switch (argv[i - 1][1]) {
        case 'j':
            join(value);
            break;
        case 'r':
            limit(value);
            break;
        case 'c': {
            unsigned long long core = number(value);
            if (core >= CPU_SETSIZE)
                usage("core out of range");
            CPU_SET(core, &cores);
            pinned = 1;
            break;
        }
        case 'u':
            uid = (long long)number(value);
            break;
        case 'g':
            gid = (long long)number(value);
            break;
        default:
            usage("bad option");
        }
    }
    if (!command || command >= argc || argv[command][0] != '/')
        usage("no command (an absolute path) after --");
    if (pinned && sched_setaffinity(0, sizeof cores, &cores) != 0)
        fail("sched_setaffinity", "");
    if ((uid < 0) != (gid < 0))
        usage("-u and -g go together");
    if (uid >= 0) {
        if (setgroups(0, NULL) != 0)
            fail("setgroups", "");
        if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) != 0)
            fail("setresgid", "");
        if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0)
            fail("setresuid", "");
    }
    execv(argv[command], &argv[command]);
    fail("execv", argv[command]);
    return FAILED;
}
