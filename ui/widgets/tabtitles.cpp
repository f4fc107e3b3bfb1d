#include "tabtitles.h"

#include <QDir>

namespace ikev2wb::ui {

QStringList uniqueTitles(const QStringList &paths)
{
    std::vector<QStringList> parts;
    std::vector<int> depth(std::size_t(paths.size()), 1);
    for (const QString &p : paths)
        parts.push_back(
            QDir::cleanPath(QDir::fromNativeSeparators(p)).split(QLatin1Char('/'), Qt::SkipEmptyParts));
    auto title = [&](std::size_t i) {
        const QStringList &c = parts[i];
        return c.mid(std::max<qsizetype>(0, c.size() - depth[i])).join(QLatin1Char('/'));
    };
    // Each round lengthens every title that still collides with a different path's.
    for (bool changed = true; changed;) {
        changed = false;
        std::vector<bool> collides(parts.size(), false);
        for (std::size_t i = 0; i < parts.size(); ++i)
            for (std::size_t j = 0; j < parts.size(); ++j)
                if (i != j && parts[i] != parts[j] && title(i) == title(j)) collides[i] = true;
        for (std::size_t i = 0; i < parts.size(); ++i)
            if (collides[i] && depth[i] < parts[i].size()) {
                ++depth[i];
                changed = true;
            }
    }
    QStringList out;
    for (std::size_t i = 0; i < parts.size(); ++i)
        out << title(i);
    return out;
}

} // namespace ikev2wb::ui
