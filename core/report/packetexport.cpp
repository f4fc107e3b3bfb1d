#include "packetexport.h"

#include "capture/capturereader.h"
#include "capture/pcapngwriter.h"
#include "report/outputfile.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <algorithm>
#include <memory>
#include <vector>

namespace ikev2wb {

namespace {
constexpr std::size_t kFlushAt = std::size_t(1) << 20;

QString tr(const char *s)
{
    return QCoreApplication::translate("PacketExport", s);
}
} // namespace

bool exportPackets(const QString &source, std::span<const std::uint64_t> frames, const QString &destination,
                   PacketExportResult *result, QString *error, const std::atomic_bool *cancel)
{
    return exportPackets(QStringList{source}, frames, destination, result, error, cancel);
}

bool exportPackets(const QStringList &sources, std::span<const std::uint64_t> frames,
                   const QString &destination, PacketExportResult *result, QString *error,
                   const std::atomic_bool *cancel)
{
    PacketExportResult local;
    PacketExportResult &out = result ? *result : local;
    out = {};
    if (!std::is_sorted(frames.begin(), frames.end()) ||
        std::adjacent_find(frames.begin(), frames.end()) != frames.end() ||
        (!frames.empty() && frames[0] == 0)) {
        if (error) *error = tr("internal error: the packets to export are not in ascending frame order");
        return false;
    }
    for (const QString &source : sources)
        if (QFileInfo(source).canonicalFilePath() == QFileInfo(destination).canonicalFilePath() &&
            QFileInfo::exists(destination)) {
            if (error) *error = tr("%1: cannot export into the capture that is being read").arg(destination);
            return false;
        }
    // Every source opens before anything is written.
    std::vector<std::unique_ptr<CaptureReader>> readers;
    for (const QString &source : sources) {
        QString openError;
        auto reader = CaptureReader::open(source, &openError);
        if (!reader) {
            if (error) *error = openError;
            return false;
        }
        readers.push_back(std::move(reader));
    }
    OutputFile file(destination);
    if (!file.open(error)) return false;

    capture::PcapngWriter w;
    w.sectionHeader("ikev2-workbench (exported packets)");
    for (const auto &reader : readers) {
        capture::InterfaceDescription idb;
        idb.linkType = capture::linkTypeForDlt(reader->info().linkType);
        idb.snapLength = static_cast<std::uint32_t>(std::max(reader->info().snapLength, 0));
        idb.description = QFileInfo(reader->info().path).fileName().toStdString();
        idb.tsresol = 9;
        w.interfaceDescription(idb);
    }

    bool writeFailed = false;
    auto flush = [&]() {
        if (w.pending() == 0 || writeFailed) return;
        const auto &b = w.buffer();
        if (!file.write(
                QByteArray::fromRawData(reinterpret_cast<const char *>(b.data()), qsizetype(b.size()))))
            writeFailed = true;
        w.clear();
    };

    std::size_t next = 0;
    std::uint64_t frame = 0;
    QStringList warnings;
    // The reader stops at its next look once the last wanted packet is written (or on the
    // caller's cancel): exporting a few packets does not read the rest of the file.
    std::atomic_bool stop{false};
    for (std::size_t i = 0; i < readers.size() && next < frames.size(); ++i) {
        const auto interfaceId = static_cast<std::uint32_t>(i);
        const ReadOutcome read = readers[i]->read(
            [&](const RawPacket &pkt) {
                ++frame;
                if (cancel && cancel->load(std::memory_order_relaxed)) stop = true;
                if (next >= frames.size() || frames[next] != frame || writeFailed) return;
                ++next;
                const auto ts = static_cast<std::uint64_t>(std::max<std::int64_t>(pkt.tsNs, 0));
                w.enhancedPacket(ts, pkt.data, pkt.presentLength, pkt.originalLength, interfaceId);
                ++out.written;
                if (next == frames.size() || writeFailed) stop = true;
                if (w.pending() >= kFlushAt) flush();
            },
            {}, &stop);
        if (read.cancelled && next < frames.size() && !writeFailed) {
            if (error) *error = tr("export cancelled; %1 was not written").arg(destination);
            return false;
        }
        if (!read.warning.isEmpty()) warnings << read.warning;
    }
    flush();
    if (writeFailed) {
        if (error) *error = tr("%1: %2").arg(destination, file.errorString());
        return false;
    }
    if (next < frames.size())
        warnings.prepend(tr("%1 ended at packet %2; %3 of the %4 packets asked for were not in it")
                             .arg(sources.size() == 1 ? sources.front() : tr("the capture set"),
                                  QString::number(frame), QString::number(frames.size() - next),
                                  QString::number(frames.size())));
    out.warning = warnings.join(QStringLiteral("; "));
    return file.commit(OutputFile::defaultMode(false), error);
}

} // namespace ikev2wb
