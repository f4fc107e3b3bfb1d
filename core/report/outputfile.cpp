#include "outputfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

namespace ikev2wb {

namespace {

/// The process umask without changing it (umask(2) can only read it by setting it, which races
/// with other threads creating files): Linux reports it in /proc/self/status since 4.7.
mode_t currentUmask()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (status.open(QIODevice::ReadOnly))
        for (const QByteArray &line : status.readAll().split('\n'))
            if (line.startsWith("Umask:")) {
                bool ok = false;
                const uint mask = line.mid(6).trimmed().toUInt(&ok, 8);
                if (ok) return mode_t(mask & 0777);
            }
    return 022;
}

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

} // namespace

bool writeOutputFile(const QString &path, const QByteArray &data, bool executable, QString *error)
{
    auto fail = [&](const QString &why) {
        if (error) *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    };
    const QByteArray native = QFile::encodeName(path);
    struct stat st = {};
    if (::lstat(native.constData(), &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return fail(QStringLiteral("is a symbolic link; not written (remove it or choose another name)"));
        if (!S_ISREG(st.st_mode))
            return fail(QStringLiteral("exists and is not a regular file; not written"));
    } else if (errno != ENOENT) {
        return fail(QStringLiteral("cannot be written: %1").arg(errnoText()));
    }
    const QFileInfo info(path);
    if (!info.dir().exists()) return fail(QStringLiteral("cannot be written: the folder does not exist"));
    QTemporaryFile tmp(info.dir().filePath(QStringLiteral(".%1.XXXXXX").arg(info.fileName())));
    if (!tmp.open()) return fail(QStringLiteral("cannot be written: %1").arg(tmp.errorString()));
    const mode_t mode = (0666 & ~currentUmask()) | (executable ? S_IXUSR : 0);
    if (tmp.write(data) != data.size() || !tmp.flush() || ::fchmod(tmp.handle(), mode) != 0 ||
        ::fsync(tmp.handle()) != 0)
        return fail(QStringLiteral("cannot be written: %1").arg(tmp.errorString()));
    tmp.close();
    // rename() replaces whatever the name is by then (a link planted after the check
    // included) and never follows it.
    if (::rename(QFile::encodeName(tmp.fileName()).constData(), native.constData()) != 0)
        return fail(QStringLiteral("cannot be written: %1").arg(errnoText()));
    tmp.setAutoRemove(false);
    return true;
}

} // namespace ikev2wb
