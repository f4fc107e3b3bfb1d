#include "outputfolder.h"

#include <QDir>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace ikev2wb {

namespace {

QString errnoText(int e)
{
    return QString::fromLocal8Bit(std::strerror(e));
}

/// Closes a descriptor when it goes out of scope unless released.
struct Fd
{
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd()
    {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int release() { return std::exchange(fd, -1); }
};

/// True if the folder behind fd holds nothing but "." and "..".
bool isEmptyFolder(int fd, int *err)
{
    const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) {
        *err = errno;
        return false;
    }
    DIR *d = ::fdopendir(copy);
    if (!d) {
        *err = errno;
        ::close(copy);
        return false;
    }
    bool empty = true;
    while (const dirent *e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
            empty = false;
            break;
        }
    }
    ::closedir(d);
    *err = 0;
    return empty;
}

} // namespace

OutputFolder::~OutputFolder()
{
    if (m_fd >= 0) ::close(m_fd);
}

OutputFolder::OutputFolder(OutputFolder &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path))
{
}

OutputFolder &OutputFolder::operator=(OutputFolder &&other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_path = std::move(other.m_path);
    }
    return *this;
}

OutputFolder OutputFolder::open(const QString &path, QString *error)
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    const QString parent = QFileInfo(abs).absolutePath();
    if (!QDir().mkpath(parent)) {
        *error = QStringLiteral("cannot create %1").arg(parent);
        return {};
    }
    const QByteArray native = QFile::encodeName(abs);
    const bool created = ::mkdir(native.constData(), 0700) == 0;
    if (!created && errno != EEXIST) {
        *error = QStringLiteral("cannot create %1: %2").arg(path, errnoText(errno));
        return {};
    }
    // O_NOFOLLOW: a symlink in place of the folder is refused, not followed.
    Fd fd(::open(native.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.fd < 0) {
        const int e = errno;
        *error = e == ELOOP || e == ENOTDIR
                     ? QStringLiteral(
                           "%1 exists and is not a folder (or is a symlink); give a new folder with --out")
                           .arg(path)
                     : QStringLiteral("cannot open %1: %2").arg(path, errnoText(e));
        return {};
    }
    struct stat st = {};
    if (::fstat(fd.fd, &st) != 0) {
        *error = QStringLiteral("cannot stat %1: %2").arg(path, errnoText(errno));
        return {};
    }
    if (!created) {
        if (st.st_uid != ::geteuid()) {
            *error =
                QStringLiteral("%1 exists and belongs to another user (uid %2); give a new folder with --out")
                    .arg(path, QString::number(st.st_uid));
            return {};
        }
        if (st.st_mode & (S_IWGRP | S_IWOTH)) {
            *error =
                QStringLiteral("%1 exists and is writable by group or others (mode %2); give a new folder "
                               "with --out")
                    .arg(path, QStringLiteral("%1").arg(st.st_mode & 07777, 4, 8, QLatin1Char('0')));
            return {};
        }
        int err = 0;
        if (!isEmptyFolder(fd.fd, &err)) {
            *error =
                err ? QStringLiteral("cannot list %1: %2").arg(path, errnoText(err))
                    : QStringLiteral("%1 exists and is not empty; give a new folder with --out").arg(path);
            return {};
        }
    }
    // The umask may have taken bits away (never added any); set exactly 0700 on the folder we hold.
    if ((st.st_mode & 07777) != 0700 && ::fchmod(fd.fd, 0700) != 0) {
        *error = QStringLiteral("cannot set mode 0700 on %1: %2").arg(path, errnoText(errno));
        return {};
    }
    return OutputFolder(fd.release(), abs);
}

OutputFolder OutputFolder::createUnique(const QString &parent, const QString &prefix, QString *error)
{
    QByteArray templ = QFile::encodeName(QDir(parent).absoluteFilePath(prefix + QStringLiteral("XXXXXX")));
    if (!::mkdtemp(templ.data())) {
        *error = QStringLiteral("cannot create a folder in %1: %2").arg(parent, errnoText(errno));
        return {};
    }
    // mkdtemp made it 0700 and ours; open() checks that again through the descriptor.
    return open(QFile::decodeName(templ), error);
}

bool OutputFolder::writeFile(const QString &relPath, const QByteArray &data, QString *error) const
{
    const QString shown = QDir(m_path).filePath(relPath);
    if (m_fd < 0) {
        *error = QStringLiteral("cannot write %1: no output folder").arg(shown);
        return false;
    }
    const QStringList parts = relPath.split(QLatin1Char('/'));
    for (const QString &p : parts) {
        if (p.isEmpty() || p == QLatin1String(".") || p == QLatin1String("..")) {
            *error = QStringLiteral("cannot write %1: not a plain relative path").arg(shown);
            return false;
        }
    }
    int dir = m_fd;
    Fd sub(-1);
    for (qsizetype i = 0; i + 1 < parts.size(); ++i) {
        const QByteArray name = QFile::encodeName(parts[i]);
        if (::mkdirat(dir, name.constData(), 0700) != 0 && errno != EEXIST) {
            *error = QStringLiteral("cannot create folder for %1: %2").arg(shown, errnoText(errno));
            return false;
        }
        const int next = ::openat(dir, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
            *error = QStringLiteral("cannot open folder for %1: %2").arg(shown, errnoText(errno));
            return false;
        }
        Fd opened(next);
        std::swap(sub.fd, opened.fd);
        dir = sub.fd;
    }
    const QByteArray name = QFile::encodeName(parts.back());
    Fd fd(::openat(dir, name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.fd < 0) {
        *error = QStringLiteral("cannot write %1: %2").arg(shown, errnoText(errno));
        return false;
    }
    if (::fchmod(fd.fd, 0600) != 0) {
        *error = QStringLiteral("cannot set mode 0600 on %1: %2").arg(shown, errnoText(errno));
        return false;
    }
    const char *p = data.constData();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(fd.fd, p, std::size_t(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            *error = QStringLiteral("cannot write %1: %2").arg(shown, errnoText(n < 0 ? errno : ENOSPC));
            return false;
        }
        p += n;
        left -= n;
    }
    if (::close(fd.release()) != 0) {
        *error = QStringLiteral("cannot write %1: %2").arg(shown, errnoText(errno));
        return false;
    }
    return true;
}

} // namespace ikev2wb
