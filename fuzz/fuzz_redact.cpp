// libFuzzer target over the redactors `ikev2wb collect` uses (core/evidence/redact.cpp), with the
// oracles of securityfuzz.h. Input: a selector byte, then either
//   selector & 0x80: 8 bytes seeding the planted generator (a configuration, charon log or xfrm
//     listing of the kind selector % 4 with SECRETMARKER in every secret-bearing value): no
//     marker, dump line or key hex may survive, and the structure must be the same;
//   else: a file of the kind selector % 4, redacted: same lines and structure.
#include "securityfuzz.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace ikev2wb::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1) return 0;
    const auto kind = RedactKind(data[0] % kRedactKinds);
    QStringList problems;
    QByteArray text;
    if (data[0] & 0x80) {
        std::uint64_t s = 0;
        std::memcpy(&s, data + 1, std::min<std::size_t>(8, size - 1));
        Rng rng(s);
        const PlantedText p = generatePlanted(rng, kind);
        text = p.text;
        problems = checkPlanted(p);
    } else {
        text = QByteArray(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
        problems = checkRedactedStructure(kind, text, redact(kind, text));
    }
    if (!problems.isEmpty()) {
        std::fprintf(stderr, "kind %d:\n%s\n---\n%s\n", int(kind), text.constData(),
                     problems.join(QLatin1Char('\n')).toUtf8().constData());
        std::abort();
    }
    return 0;
}
