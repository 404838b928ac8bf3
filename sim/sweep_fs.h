/* File-system helpers of the sweep: folders made and removed whole, and files written under a
 * temporary name then renamed, so that a partial output never looks complete. */
#ifndef CCS_SWEEP_FS_H
#define CCS_SWEEP_FS_H

#include <stdio.h>

/* mkdir -p; 0 or -1 with errno. */
int ccs_fs_mkdir_p(const char *path);
/* rm -r; a missing path is not an error. 0 or -1. */
int ccs_fs_remove_tree(const char *path);

/* Opens path.tmp for writing; ccs_fs_commit closes it and renames it to path when ok is
 * non-zero and every write succeeded, else removes it. Returns 0 when the file is in place. */
FILE *ccs_fs_begin(const char *path);
int ccs_fs_commit(FILE *f, const char *path, int ok);

#endif
