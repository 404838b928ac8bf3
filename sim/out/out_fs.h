/* File-system helpers of the outputs: folders made and removed whole, and files written under a
 * hidden temporary name (DIR/.NAME.tmp.PID) then renamed, so that a partial output never looks
 * complete and a killed writer leaves nothing that looks like a result. Temporaries whose writer
 * is gone are removed by the next writer into the same folder. */
#ifndef CCS_SWEEP_FS_H
#define CCS_SWEEP_FS_H

#include <stddef.h>
#include <stdio.h>

/* mkdir -p; 0 or -1 with errno. */
int ccs_fs_mkdir_p(const char *path);
/* rm -r; a missing path is not an error. 0 or -1. */
int ccs_fs_remove_tree(const char *path);

/* The temporary name of path for this process: DIR/.NAME.tmp.PID. */
void ccs_fs_tmp_name(const char *path, char *buf, size_t size);
/* Before writing path: removes the temporaries (.X.tmp.PID, files or folders) left in path's
 * folder by writers whose process has ended, and path.tmp, the visible temporary of older
 * versions. A temporary of a live process is left alone. Limit: "ended" is judged on this machine
 * (kill(pid, 0)), so a folder written at once from two machines or pid namespaces is not safe. */
void ccs_fs_clean_temporaries(const char *path);

/* A file being written: its temporary, and the errno of its first failed write (stdio's error
 * flag alone loses the reason). */
typedef struct ccs_fs_out ccs_fs_out;

/* Opens path's temporary for writing; NULL with errno on failure. */
ccs_fs_out *ccs_fs_begin(const char *path);
/* The stream to write to. */
FILE *ccs_fs_stream(ccs_fs_out *o);
/* Flushes and closes the stream and renames the temporary to path when ok is non-zero and every
 * write succeeded, else removes it; frees o. Returns 0 when the file is in place, else an errno
 * value for the message "cannot write X: <strerror>" (ECANCELED when ok was 0 and nothing failed). */
int ccs_fs_commit(ccs_fs_out *o, int ok);

#endif
