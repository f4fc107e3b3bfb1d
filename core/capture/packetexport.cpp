#include "packetexport.h"

#include "capturereader.h"
#include "pcapngwriter.h"
#include "report/outputfile.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <algorithm>

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
    PacketExportResult local;
    PacketExportResult &out = result ? *result : local;
    out = {};
    if (!std::is_sorted(frames.begin(), frames.end()) ||
        std::adjacent_find(frames.begin(), frames.end()) != frames.end() ||
        (!frames.empty() && frames[0] == 0)) {
        if (error) *error = tr("internal error: the packets to export are not in ascending frame order");
        return false;
    }
    if (QFileInfo(source).canonicalFilePath() == QFileInfo(destination).canonicalFilePath() &&
        QFileInfo::exists(destination)) {
        if (error) *error = tr("%1: cannot export into the capture that is being read").arg(destination);
        return false;
    }
    QString openError;
    auto reader = CaptureReader::open(source, &openError);
    if (!reader) {
        if (error) *error = openError;
        return false;
    }
    OutputFile file(destination);
    if (!file.open(error)) return false;

    capture::PcapngWriter w;
    w.sectionHeader("ikev2-workbench (exported packets)");
    capture::InterfaceDescription idb;
    idb.linkType = capture::linkTypeForDlt(reader->info().linkType);
    idb.snapLength = static_cast<std::uint32_t>(std::max(reader->info().snapLength, 0));
    idb.description = QFileInfo(source).fileName().toStdString();
    idb.tsresol = 9;
    w.interfaceDescription(idb);

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
    const ReadOutcome read = reader->read(
        [&](const RawPacket &pkt) {
            ++frame;
            if (next >= frames.size() || frames[next] != frame || writeFailed) return;
            ++next;
            const auto ts = static_cast<std::uint64_t>(std::max<std::int64_t>(pkt.tsNs, 0));
            w.enhancedPacket(ts, pkt.data, pkt.presentLength, pkt.originalLength);
            ++out.written;
            if (w.pending() >= kFlushAt) flush();
        },
        {}, cancel);
    flush();
    if (writeFailed) {
        if (error) *error = tr("%1: %2").arg(destination, file.errorString());
        return false;
    }
    if (read.cancelled) {
        if (error) *error = tr("export cancelled; %1 was not written").arg(destination);
        return false;
    }
    if (next < frames.size())
        out.warning = tr("%1 ended at packet %2; %3 of the %4 packets asked for were not in it")
                          .arg(source)
                          .arg(frame)
                          .arg(frames.size() - next)
                          .arg(frames.size());
    if (!read.warning.isEmpty())
        out.warning =
            out.warning.isEmpty() ? read.warning : out.warning + QStringLiteral("; ") + read.warning;
    return file.commit(OutputFile::defaultMode(false), error);
}

} // namespace ikev2wb
