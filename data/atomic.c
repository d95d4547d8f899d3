/* atomic.c - temp file + fsync + rename. */
#include "tg_atomic.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int tg_atomic_open(tg_atomic_file *f, const char *path, tg_error *err)
{
    memset(f, 0, sizeof *f);
    if (strlen(path) >= sizeof f->path)
        return tg_fail(err, "%s: path too long", path);
    snprintf(f->path, sizeof f->path, "%s", path);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp.%ld", path, (long)getpid());
    f->fp = fopen(f->tmp, "wb");
    if (!f->fp)
        return tg_fail(err, "%s: cannot create: %s", f->tmp, strerror(errno));
    return 0;
}

int tg_atomic_commit(tg_atomic_file *f, tg_error *err)
{
    int bad = ferror(f->fp) || fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0;
    int saved = errno;
    if (fclose(f->fp) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    f->fp = NULL;
    if (bad) {
        remove(f->tmp);
        return tg_fail(err, "%s: write failed: %s", f->path, strerror(saved));
    }
    if (rename(f->tmp, f->path) != 0) {
        saved = errno;
        remove(f->tmp);
        return tg_fail(err, "%s: cannot rename into place: %s", f->path, strerror(saved));
    }
    return 0;
}

void tg_atomic_abort(tg_atomic_file *f)
{
    if (f->fp) {
        fclose(f->fp);
        f->fp = NULL;
        remove(f->tmp);
    }
}

int tg_write_file_atomic(const char *path, const void *data, size_t len, tg_error *err)
{
    tg_atomic_file f;
    if (tg_atomic_open(&f, path, err) != 0)
        return -1;
    if (len && fwrite(data, 1, len, f.fp) != len) {
        tg_atomic_abort(&f);
        return tg_fail(err, "%s: write failed", path);
    }
    return tg_atomic_commit(&f, err);
}
