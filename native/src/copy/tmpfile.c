/*
 * tmpfile.c: unnamed files linked into place once complete (see tmpfile.h).
 */
#include "tmpfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int
tsvirt_tmpfile_open(const char *dir, unsigned int mode)
{
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, (mode_t)(mode & 07777));
    return fd < 0 ? -errno : fd;
}

int
tsvirt_tmpfile_link(int fd, const char *path)
{
    /* linkat(fd, "", ..., AT_EMPTY_PATH) would need CAP_DAC_READ_SEARCH; the /proc link works for anyone. */
    char self[sizeof "/proc/self/fd/" + 12];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
}
