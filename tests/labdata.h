#pragma once
// Where the tests find the lab runs (tests/data/lab/<scenario>/: captures, truth.json,
// verify.json, stats/, charon logs) and how they read their JSON files.
#include "index/indexbuilder.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <memory>

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

/// A capture under tests/data (e.g. "captures/tcpdump/tests/ikev2four.pcap"), read into an
/// index to share with models and pages; null (with a warning naming it) when unreadable.
inline std::shared_ptr<const CaptureIndex> loadTestCapture(const QString &relative)
{
    QString error;
    std::shared_ptr<const CaptureIndex> index(
        loadCapture(QStringLiteral(IKEV2WB_TEST_DATA "/") + relative, &error).release());
    if (!index) qWarning("%s: %s", qPrintable(relative), qPrintable(error));
    return index;
}

} // namespace ikev2wb::testdata
