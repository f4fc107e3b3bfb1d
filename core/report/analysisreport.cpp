// Text and JSON of all analyzers together (`ikev2wb analyze`).
#include "analysisreport.h"
#include "../analyze/analysis.h"
#include "../index/captureset.h"
#include "capturesummary.h"
#include "jsonwriter.h"

namespace ikev2wb {

std::string analysisJson(const CaptureIndex &index, const CaptureAnalysis &a, bool pretty)
{
    JsonWriter w(pretty);
    w.beginObject();
    w.field("schema", "ikev2wb.analysis/1");
    w.key("file").beginObject();
    w.field("path", index.file.path).field("format", index.file.format);
    w.field("packets", std::uint64_t(index.packetCount()));
    w.key("first_time").time(index.firstNs);
    w.key("last_time").time(index.lastNs);
    w.field("partial", index.partial);
    w.endObject();
    writeCaptureSetJson(w, index.set);
    writeTunnelScopeJson(w, index.scope, index.count(PacketKind::OutOfScope));
    writeEspSequenceJson(w, index, a.esp);
    writeIkeExchangesJson(w, index, a.ike);
    writeNattJson(w, index, a.natt);
    writeMtuJson(w, index, a.mtu);
    w.endObject();
    std::string out = w.take();
    out += '\n';
    return out;
}

QString analysisText(const CaptureIndex &index, const CaptureAnalysis &a)
{
    QString out = QStringLiteral("Capture %1 (%2 packets)\n\n")
                      .arg(index.file.path, QString::number(index.packetCount()));
    if (index.scope.active())
        out += tunnelScopeText(index.scope, index.count(PacketKind::OutOfScope), index.packetCount()) +
               QStringLiteral("\n\n");
    if (index.set.isSet()) out += captureSetText(index.set) + QLatin1Char('\n');
    out += QStringLiteral("== ESP sequence analysis\n") + espSequenceText(index, a.esp) + QLatin1Char('\n');
    out += QStringLiteral("== IKE exchanges\n") + ikeExchangesText(index, a.ike) + QLatin1Char('\n');
    out += QStringLiteral("== NAT traversal\n") + nattText(index, a.natt) + QLatin1Char('\n');
    out += QStringLiteral("== MTU and fragmentation\n") + mtuText(index, a.mtu);
    return out;
}

} // namespace ikev2wb
