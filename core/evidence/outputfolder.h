#pragma once
// The private folder `ikev2wb collect` writes into. Every file is created through the folder's
// descriptor with O_CREAT | O_EXCL | O_NOFOLLOW, so a symlink planted in the folder (or in place
// of a sub-folder) makes the write fail instead of redirecting it.
#include <QByteArray>
#include <QString>

namespace ikev2wb {

/// An owned, mode-0700 folder held open by descriptor. Move-only.
class OutputFolder
{
public:
    OutputFolder() = default;
    ~OutputFolder();
    OutputFolder(OutputFolder &&other) noexcept;
    OutputFolder &operator=(OutputFolder &&other) noexcept;
    OutputFolder(const OutputFolder &) = delete;
    OutputFolder &operator=(const OutputFolder &) = delete;

    /// Creates `path` with mode 0700. An existing folder is accepted only if it is a real folder
    /// (not a symlink), empty, owned by the caller and not group/world-writable; it is then set
    /// to 0700. Missing parent folders are created. On failure returns an invalid folder and
    /// sets *error to a sentence naming the path and the reason.
    static OutputFolder open(const QString &path, QString *error);
    /// Creates a new folder named `prefix` + six random characters inside `parent` (mkdtemp),
    /// mode 0700.
    static OutputFolder createUnique(const QString &parent, const QString &prefix, QString *error);

    [[nodiscard]] bool isValid() const { return m_fd >= 0; }
    /// Absolute path the folder was opened at.
    [[nodiscard]] QString path() const { return m_path; }

    /// Writes a new file at `relPath` ("logs/charon.log"), mode 0600; sub-folders are created
    /// 0700. Fails (and writes nothing) if the file exists, or if any component is a symlink,
    /// "." or "..".
    bool writeFile(const QString &relPath, const QByteArray &data, QString *error) const;

private:
    OutputFolder(int fd, QString path) : m_fd(fd), m_path(std::move(path)) {}
    int m_fd = -1;
    QString m_path;
};

} // namespace ikev2wb
