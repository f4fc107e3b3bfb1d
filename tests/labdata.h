#pragma once
// Where the tests find the lab runs (tests/data/lab/<scenario>/: captures, truth.json,
// verify.json, stats/, charon logs) and how they read their JSON files.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

namespace ikev2wb::testdata {

inline QString labDir(const QString &scenario)
{
    return QStringLiteral(IKEV2WB_TEST_DATA "/lab/") + scenario;
}

/// The top-level object of a JSON file; empty when the file is missing or not JSON.
inline QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace ikev2wb::testdata
