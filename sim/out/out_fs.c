/* See out_fs.h. */
#define _GNU_SOURCE /* fopencookie */
#include "out_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int ccs_fs_mkdir_p(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

int ccs_fs_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : -1;
    return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void ccs_fs_tmp_name(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    snprintf(buf, size, "%.*s.%s.tmp.%ld", dirlen, path, slash ? slash + 1 : path, (long)getpid());
}

/* ".NAME.tmp.PID" -> PID, or 0 when the name is not a temporary of ours. */
static pid_t tmp_owner(const char *name)
{
    if (name[0] != '.') return 0;
    const char *t = strstr(name, ".tmp.");
    if (!t || t == name) return 0;
    /* the last ".tmp." holds the pid: a NAME may itself contain ".tmp." */
    for (const char *u; (u = strstr(t + 1, ".tmp.")) != NULL;) t = u;
    char *end;
    errno = 0;
    long pid = strtol(t + 5, &end, 10);
    return *end || errno || pid <= 0 || t[5] == '\0' || t[5] == '-' || t[5] == '+' ? 0 : (pid_t)pid;
}

/* Alive when signal 0 reaches it or is refused for permission: only ESRCH means gone. A reused
 * pid keeps a stale temporary one more time; that errs on the safe side. */
static int process_alive(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

void ccs_fs_clean_temporaries(const char *path)
{
    char dir[4400], legacy[4400], entry[4400];
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + (slash == path), path);
    else
        snprintf(dir, sizeof dir, ".");
    snprintf(legacy, sizeof legacy, "%s.tmp", path);
    unlink(legacy);
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        pid_t owner = tmp_owner(e->d_name);
        if (owner == 0 || owner == getpid() || process_alive(owner)) continue;
        snprintf(entry, sizeof entry, "%s/%s", dir, e->d_name);
        ccs_fs_remove_tree(entry);
    }
    closedir(d);
}

struct ccs_fs_out {
    FILE *stream;
    int fd, err;
    char path[4200], tmp[4400];
};

/* The stream's sink: every byte to the descriptor, the first failure's errno kept. */
static ssize_t out_write(void *cookie, const char *buf, size_t size)
{
    ccs_fs_out *o = cookie;
    size_t done = 0;
    while (done < size) {
        ssize_t k = write(o->fd, buf + done, size - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (!o->err) o->err = k < 0 ? errno : EIO;
            return 0; /* fopencookie: 0 is a failed write */
        }
        done += (size_t)k;
    }
    return (ssize_t)size;
}

static int out_close(void *cookie)
{
    ccs_fs_out *o = cookie;
    int rc = close(o->fd);
    if (rc != 0 && !o->err) o->err = errno;
    o->fd = -1;
    return rc;
}

ccs_fs_out *ccs_fs_begin(const char *path)
{
    ccs_fs_out *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    snprintf(o->path, sizeof o->path, "%s", path);
    ccs_fs_tmp_name(path, o->tmp, sizeof o->tmp);
    o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    cookie_io_functions_t io = {.write = out_write, .close = out_close};
    if (o->fd >= 0) o->stream = fopencookie(o, "w", io);
    if (!o->stream) {
        int e = errno;
        if (o->fd >= 0) {
            close(o->fd);
            unlink(o->tmp);
        }
        free(o);
        errno = e;
        return NULL;
    }
    return o;
}

FILE *ccs_fs_stream(ccs_fs_out *o) { return o->stream; }

int ccs_fs_commit(ccs_fs_out *o, int ok)
{
    fflush(o->stream);
    int failed = ferror(o->stream);
    fclose(o->stream); /* closes the descriptor through out_close */
    int e = o->err ? o->err : failed ? EIO : !ok ? ECANCELED : 0;
    if (!e && rename(o->tmp, o->path) != 0) e = errno;
    if (e) unlink(o->tmp);
    free(o);
    return e;
}
