/*
 * tmpfile.h: files that have no name until they are complete.
 *
 * A job's output file (a save image, a core dump) must never be seen half-written under its final name, not
 * even after the process was killed: an O_TMPFILE file has no name at all until it is linked into place, so a
 * crash leaves nothing behind. Node can open neither O_TMPFILE (its value is not in fs.constants) nor link a
 * descriptor (link() does not follow /proc/self/fd/N), hence these two calls.
 *
 * Both return a negative errno on failure, so callers on another thread (koffi's async calls run on libuv's
 * pool) never depend on a thread-local errno.
 */
#ifndef TSVIRT_TMPFILE_H
#define TSVIRT_TMPFILE_H

/*
 * A new unnamed regular file in directory `dir`, open for writing, with permission bits `mode` (umask
 * applies): its descriptor, or -errno. -EOPNOTSUPP (or -EISDIR on kernels before 3.11) means the filesystem
 * has no unnamed files.
 */
int tsvirt_tmpfile_open(const char *dir, unsigned int mode);

/*
 * Gives the unnamed file open as `fd` the name `path`, on the same filesystem; an existing `path` is never
 * replaced (-EEXIST). 0 or -errno.
 */
int tsvirt_tmpfile_link(int fd, const char *path);

#endif
