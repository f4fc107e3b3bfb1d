// libFuzzer target: the input is one evidence file behind a selector byte. It goes through every
// step `ikev2wb evidence` takes on a file: kind detection, line splitting under the limits, the
// parser of the selected kind, then an EvidenceSet (two snapshots of the same text, so the
// before/after deltas run), the counters, the text report and the JSON report.
// Oracles beyond ASan/UBSan: a failed parse says why, the warnings stay bounded, and the JSON
// report is valid JSON.
#include "evidence/evidenceset.h"
#include "evidence/parsers.h"
#include "report/evidencereport.h"
#include "report/jsonwriter.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QString>

#include <cstdint>
#include <cstdlib>

using namespace ikev2wb;

namespace {

/// selector % 22: 0 lets the detector pick the kind from the text and a neutral name; 1..21 force
/// EvidenceKind(n) with a file name the detector associates with that kind.
constexpr const char *kNames[] = {
    "evidence.txt",    "xfrm_stat.txt",      "xfrm-state.txt",       "xfrm-policy.txt",
    "ip-s-link.txt",   "ethtool-S-eth0.txt", "ethtool-k-eth0.txt",   "snmp.txt",
    "snmp6.txt",       "sysctl.txt",         "swanctl-list-sas.txt", "swanctl-list-conns.txt",
    "swanctl.conf",    "strongswan.conf",    "ipsec.conf",           "charon.log",
    "MANIFEST.txt",    "ip-route.txt",       "probe.json",           "iptables-save.txt",
    "conntrack-S.txt", "ip-rule.txt",
};
constexpr std::size_t kKinds = sizeof kNames / sizeof kNames[0];
// The last kind: a kind added after it must get a name here too.
static_assert(kKinds == std::size_t(EvidenceKind::IpRule) + 1, "one name per EvidenceKind");

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1) return 0;
    const std::size_t sel = data[0] % kKinds;
    const QByteArray text(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const QString name = QString::fromLatin1(kNames[sel]);

    const EvidenceKind detected = detectEvidenceKind(text.left(16 * 1024), name);
    const EvidenceKind kind = sel == 0 ? detected : EvidenceKind(sel);

    ParseStatus lineStatus;
    TextLimits small;
    small.maxLines = 1000;
    small.maxLineLength = 256;
    (void)splitEvidenceLines(text, name, lineStatus, small);

    if (kind != EvidenceKind::Unknown) {
        ParseStatus status;
        const EvidenceData parsed = parseEvidence(kind, text, name, status);
        (void)parsed;
        if (!status.ok() && status.error.isEmpty()) std::abort(); // a failure must say why
        if (status.warnings.size() > 201) std::abort();           // 200 and "more suppressed"
    }

    EvidenceSet set;
    set.addText(name, text, 0);
    set.addText(name, text, 1);
    for (const EvidenceFile &f : set.files())
        (void)evidenceCounters(f);
    (void)set.deltas();
    (void)evidenceText(set);
    JsonWriter w(true);
    writeEvidenceJson(w, set);
    QJsonParseError err{};
    (void)QJsonDocument::fromJson(QByteArray::fromStdString(w.str()), &err);
    if (err.error != QJsonParseError::NoError) std::abort(); // the report must stay valid JSON
    return 0;
}
