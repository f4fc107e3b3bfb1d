#pragma once
// Removal of key material and credentials from collected text. `ikev2wb collect` passes every
// file through one of these before writing it; they are public so that tests check them directly.
#include <QByteArray>

namespace ikev2wb {

/// `ip xfrm state`: the key after "auth", "auth-trunc", "enc", "aead", "comp" becomes
/// "[redacted]"; any other 0x-number of 32 or more hex digits too. count (if given) is raised
/// by the number of replacements.
QByteArray redactXfrmState(const QByteArray &text, int *count = nullptr);
/// swanctl.conf / strongswan.conf: the content of a top-level `secrets { }` section is dropped,
/// and values of secret-like keys (secret, psk, pin, password, passphrase) become "[redacted]".
QByteArray redactStrongswanConf(const QByteArray &text, int *count = nullptr);
/// ipsec.conf: secret-like `key=value` values become "[redacted]".
QByteArray redactIpsecConf(const QByteArray &text, int *count = nullptr);
/// charon logs: hex dump lines (log level 4 prints keys and nonces that way) are dropped.
QByteArray redactCharonLog(const QByteArray &text, int *count = nullptr);
/// True if the text holds "0x" followed by 32 or more hex digits (what a key looks like).
bool containsKeyLikeHex(const QByteArray &text);

} // namespace ikev2wb
