#include "outputfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
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

QString errnoText(int e)
{
    return QString::fromLocal8Bit(std::strerror(e));
}

/// rename() that fails with EEXIST when `to` exists in any form (a symbolic link included, which
/// is neither followed nor replaced). link() + unlink() where renameat2 is not supported.
int renameNoReplace(const char *from, const char *to)
{
    if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    if (::link(from, to) != 0) return -1;
    ::unlink(from);
    return 0;
}

} // namespace

OutputFile::OutputFile(QString path, Existing existing) : m_path(std::move(path)), m_existing(existing) {}

OutputFile::~OutputFile() = default; // QTemporaryFile removes an uncommitted file

mode_t OutputFile::defaultMode(bool executable)
{
    return (0666 & ~currentUmask()) | (executable ? S_IXUSR : 0);
}

bool OutputFile::open(QString *error)
{
    auto fail = [&](const QString &why) {
        if (error) *error = QStringLiteral("%1: %2").arg(m_path, why);
        return false;
    };
    const QByteArray native = QFile::encodeName(m_path);
    struct stat st = {};
    if (::lstat(native.constData(), &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return fail(QStringLiteral("is a symbolic link; not written (remove it or choose another name)"));
        if (m_existing == Existing::Refuse)
            return fail(QStringLiteral("exists; never overwritten (choose another name)"));
        if (!S_ISREG(st.st_mode))
            return fail(QStringLiteral("exists and is not a regular file; not written"));
    } else if (errno != ENOENT) {
        return fail(QStringLiteral("cannot be written: %1").arg(errnoText(errno)));
    }
    const QFileInfo info(m_path);
    if (!info.dir().exists()) return fail(QStringLiteral("cannot be written: the folder does not exist"));
    // QTemporaryFile creates the file with O_CREAT | O_EXCL, mode 0600.
    m_tmp = std::make_unique<QTemporaryFile>(
        info.dir().filePath(QStringLiteral(".%1.XXXXXX").arg(info.fileName())));
    if (!m_tmp->open()) {
        const QString why = m_tmp->errorString();
        m_tmp.reset();
        return fail(QStringLiteral("cannot be written: %1").arg(why));
    }
    m_failed = false;
    return true;
}

bool OutputFile::write(const QByteArray &data)
{
    if (!m_tmp || m_failed) return false;
    if (m_tmp->write(data) != data.size()) m_failed = true;
    return !m_failed;
}

QString OutputFile::errorString() const
{
    return m_tmp ? m_tmp->errorString() : QStringLiteral("not open");
}

bool OutputFile::commit(mode_t mode, QString *error, QString *keptAs)
{
    auto fail = [&](const QString &why) {
        if (error) *error = QStringLiteral("%1: %2").arg(m_path, why);
        cancel();
        return false;
    };
    if (!m_tmp) return fail(QStringLiteral("cannot be written: not open"));
    if (m_failed || !m_tmp->flush() || ::fchmod(m_tmp->handle(), mode) != 0 || ::fsync(m_tmp->handle()) != 0)
        return fail(QStringLiteral("cannot be written: %1").arg(m_tmp->errorString()));
    const QString tmpName = m_tmp->fileName();
    m_tmp->close();
    const QByteArray from = QFile::encodeName(tmpName);
    const QByteArray to = QFile::encodeName(m_path);
    // rename() replaces whatever the name is by then (a link planted after the check included)
    // and never follows it; the no-replace form refuses any name that appeared meanwhile.
    const int rc = m_existing == Existing::Refuse ? renameNoReplace(from.constData(), to.constData())
                                                  : ::rename(from.constData(), to.constData());
    if (rc != 0) {
        const int e = errno;
        const QString why = e == EEXIST ? QStringLiteral("appeared while it was being written; not replaced")
                                        : QStringLiteral("cannot be written: %1").arg(errnoText(e));
        if (keptAs) {
            m_tmp->setAutoRemove(false);
            m_tmp.reset();
            *keptAs = tmpName;
            if (error) *error = QStringLiteral("%1: %2").arg(m_path, why);
            return false;
        }
        return fail(why);
    }
    m_tmp->setAutoRemove(false);
    m_tmp.reset();
    return true;
}

void OutputFile::cancel()
{
    m_tmp.reset(); // removes the file
}

bool writeOutputFile(const QString &path, const QByteArray &data, bool executable, QString *error)
{
    OutputFile f(path);
    if (!f.open(error)) return false;
    if (!f.write(data)) {
        if (error) *error = QStringLiteral("%1: cannot be written: %2").arg(path, f.errorString());
        return false;
    }
    return f.commit(OutputFile::defaultMode(executable), error);
}

} // namespace ikev2wb
