#pragma once
// Writing the files the CLI and the GUI produce (fix scripts, PDF reports, live captures) so that
// a planted symbolic link or a half-written file cannot take effect: the bytes go to a fresh
// temporary file in the same folder (O_EXCL, never an existing name), its mode is set on the open
// handle, and rename() puts it in place, which replaces a link instead of writing through it
// (or, for files that must never overwrite anything, a rename that fails when the name exists).
#include <QByteArray>
#include <QString>

#include <sys/types.h>

#include <cstdint>
#include <memory>

class QTemporaryFile;

namespace ikev2wb {

/// A file written in pieces and put in place only by commit(); destroyed uncommitted, it leaves
/// nothing behind. writeOutputFile() is the one-piece form.
class OutputFile
{
public:
    /// What may be at the destination: a regular file that is then replaced (fix scripts,
    /// reports), or nothing at all, neither when open() checks nor when commit() puts the file in
    /// place (captures: never overwritten, a name taken in between is not replaced).
    enum class Existing : std::uint8_t { ReplaceRegular, Refuse };

    explicit OutputFile(QString path, Existing existing = Existing::ReplaceRegular);
    ~OutputFile();
    OutputFile(const OutputFile &) = delete;
    OutputFile &operator=(const OutputFile &) = delete;

    /// Checks the destination (never a symbolic link; see Existing) and creates the temporary
    /// file (mode 0600 while it is written). False with `error` naming the file and the reason.
    bool open(QString *error);
    /// Appends; false once a write failed (errorString() says why).
    bool write(const QByteArray &data);
    [[nodiscard]] QString errorString() const;
    /// Sets `mode` on the open file, syncs it and renames it to the destination. On failure the
    /// temporary file is removed, unless `keptAs` is given and the data is complete: then it stays
    /// (mode `mode`) and `*keptAs` names it (a capture is not thrown away because its name was
    /// taken while it ran).
    bool commit(mode_t mode, QString *error, QString *keptAs = nullptr);
    /// Removes the temporary file.
    void cancel();
    /// 0666 & ~umask (read without changing the umask), plus owner-execute when `executable`.
    static mode_t defaultMode(bool executable);

private:
    QString m_path;
    Existing m_existing;
    std::unique_ptr<QTemporaryFile> m_tmp;
    bool m_failed = false;
};

/// Writes `data` to `path` (OutputFile, ReplaceRegular). Refuses (false, `error` naming the file
/// and the reason) a path that is a symbolic link or exists as anything but a regular file. The
/// file gets mode 0666 & ~umask, plus owner-execute when `executable`.
bool writeOutputFile(const QString &path, const QByteArray &data, bool executable, QString *error);

} // namespace ikev2wb
