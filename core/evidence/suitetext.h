#pragma once
// ESP suites as host evidence names them: the proposal of a CHILD_SA in `swanctl --list-sas`
// and the algorithm lines of an SA in `ip xfrm state`. (A configured proposal, "aes128-sha256",
// is read by parseStrongswanEspProposal in analyze/overhead.h.)
#include "analyze/overhead.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace ikev2wb {

/// "AES_CBC-128/HMAC_SHA2_256_128" (swanctl --list-sas) → suite; nullopt when the cipher is not
/// one the overhead calculator knows, or a non-AEAD cipher names no integrity algorithm.
std::optional<EspSuite> suiteFromSwanctlProposal(QString p);

/// `ip xfrm state` algorithm lines ("enc cbc(aes)", "auth-trunc hmac(sha256) 128",
/// "aead rfc4106(gcm(aes)) 128") → suite; nullopt without a known cipher.
std::optional<EspSuite> suiteFromXfrm(const QStringList &algorithms);

} // namespace ikev2wb
