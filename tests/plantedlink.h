#pragma once
// A symbolic link planted where an output file is about to be written, pointing at a file whose
// bytes must survive: the fixture of the "never write through a link" tests.
#include <QDir>
#include <QFile>
#include <QFileInfo>

struct PlantedLink
{
    QString link;   // where the tool is told to write
    QString target; // the file the link points at
    static constexpr const char *Bytes = "precious\n";

    /// Creates `dir/precious.txt` (owner read/write only) and the link `dir/linkName` to it.
    static PlantedLink make(const QString &dir, const QString &linkName)
    {
        PlantedLink p{QDir(dir).filePath(linkName), QDir(dir).filePath(QStringLiteral("precious.txt"))};
        QFile t(p.target);
        if (t.open(QIODevice::WriteOnly)) t.write(Bytes);
        t.close();
        QFile::setPermissions(p.target, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QFile::link(p.target, p.link);
        return p;
    }
    /// The target still holds its bytes and mode, and the link is still a link.
    [[nodiscard]] bool intact() const
    {
        QFile t(target);
        return t.open(QIODevice::ReadOnly) && t.readAll() == QByteArray(Bytes) &&
               t.permissions() == (QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser |
                                   QFileDevice::WriteUser) &&
               QFileInfo(link).isSymLink();
    }
};
