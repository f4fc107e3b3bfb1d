// libFuzzer target over the fix-script generator (`ikev2wb diagnose --fix-script`): the input is
// one evidence file behind a selector byte that picks the seed it replaces (lab and file name,
// from FixScriptHarness::seeds(): the lab runs in tests/data/lab and the evidence seeds). The
// lab's captures and other evidence are loaded once. Oracles (securityfuzz.h): planted text
// (Zq9) reaches a command only inside a validated value, single-quoted or shell-safe bare; no
// control character in the script; fixTarget's values pass independent validators; and every
// distinct script passes `bash -n` (a fork per new script: slow, but only new ones).
#include "securityfuzz.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QRegularExpression>
#include <QSet>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace ikev2wb::fuzz;

namespace {

FixScriptHarness *g_harness = nullptr;
std::vector<EvidenceSeed> *g_seeds = nullptr;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    g_harness = new FixScriptHarness;
    const QString data = qEnvironmentVariableIsSet("IKEV2WB_TEST_DATA")
                             ? qEnvironmentVariable("IKEV2WB_TEST_DATA")
                             : QStringLiteral(IKEV2WB_TEST_DATA);
    QString error;
    if (!g_harness->load(data + QStringLiteral("/lab"),
                         {QStringLiteral("mtu-blackhole"), QStringLiteral("esp-blocked"),
                          QStringLiteral("ike-frag-drop"), QStringLiteral("natt-expiry")},
                         data + QStringLiteral("/evidence"), &error)) {
        std::fprintf(stderr, "cannot load the labs: %s\n", error.toUtf8().constData());
        std::abort();
    }
    g_seeds = new std::vector<EvidenceSeed>(g_harness->seeds());
    // IKEV2WB_FUZZ_WRITE_SEEDS=DIR: the seed corpus (selector byte = the seed's index, then its
    // text cut at 32 KB), so that fuzzing starts from every lab's evidence.
    if (const QString dir = qEnvironmentVariable("IKEV2WB_FUZZ_WRITE_SEEDS"); !dir.isEmpty()) {
        for (std::size_t i = 0; i < g_seeds->size() && i < 256; ++i) {
            QFile f(
                QStringLiteral("%1/%2-%3").arg(dir).arg(i, 3, 10, QLatin1Char('0')).arg((*g_seeds)[i].name));
            if (f.open(QIODevice::WriteOnly))
                f.write(QByteArray(1, char(i)) + (*g_seeds)[i].text.left(32 * 1024));
        }
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1) return 0;
    EvidenceSeed in = (*g_seeds)[data[0] % g_seeds->size()];
    in.text = QByteArray(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const FixScriptHarness::Result r = g_harness->run(in);
    if (!r.problems.isEmpty()) {
        std::fprintf(stderr, "%s (lab %d):\n%s\n", in.name.toUtf8().constData(), in.lab,
                     r.problems.join(QLatin1Char('\n')).toUtf8().constData());
        std::abort();
    }
    static QSet<QByteArray> seen;
    static const QRegularExpression eof(QStringLiteral("IKEV2WB_EOF_[0-9a-f]{16}"));
    const QByteArray norm = QString::fromUtf8(r.script).replace(eof, QStringLiteral("X")).toUtf8();
    const QByteArray hash = QCryptographicHash::hash(norm, QCryptographicHash::Sha1);
    if (!seen.contains(hash)) {
        seen.insert(hash);
        const QString bash = bashSyntaxError(r.script);
        if (!bash.isEmpty()) {
            std::fprintf(stderr, "bash -n: %s\n%s\n", bash.toUtf8().constData(), r.script.constData());
            std::abort();
        }
    }
    return 0;
}
