#pragma once
// Removal of key material and credentials from collected text. `ikev2wb collect` passes every
// file through one of these before writing it; they are public so that tests check them directly.
// The configuration redactors keep lines and structure: a redacted file parses (by strongSwan
// and by our own parsers) to the same sections and keys, on the same lines.
#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace ikev2wb {

/// `ip xfrm state`: the key after "auth", "auth-trunc", "enc", "aead", "comp" becomes
/// "[redacted]"; any other 0x-number of 32 or more hex digits too. count (if given) is raised
/// by the number of replacements.
QByteArray redactXfrmState(const QByteArray &text, int *count = nullptr);
/// swanctl.conf / strongswan.conf, read with strongSwan's own rules (quoted strings over several
/// lines, a value ends at '#', '}' or the end of the line, one-line sections). The content of a
/// `secrets { }` section (at any depth) is dropped, its lines left empty. A value is kept only if
/// its key is on the allowlist of known harmless settings or it is a plain number, duration or
/// yes/no, never for secret-like keys (isCredentialKey) nor when it runs over several lines;
/// everything else becomes "[redacted]". Kept values lose URI passwords (scheme://user:PW@host) and long hex.
/// Commented-out `key = value` lines get the same treatment.
QByteArray redactStrongswanConf(const QByteArray &text, int *count = nullptr);
/// ipsec.conf: `key=value` lines, with the same key rules as redactStrongswanConf.
QByteArray redactIpsecConf(const QByteArray &text, int *count = nullptr);
/// charon logs: hex dumps (log level 4 prints keys and nonces that way) are dropped: every
/// "  N: XX XX ..." line, and every line after "=> N bytes @ 0x..." that continues the dump,
/// however few bytes it holds. Other lines go through redactKeyLikeHex.
QByteArray redactCharonLog(const QByteArray &text, int *count = nullptr);
/// Replaces every "0x" followed by 32 or more hex digits (what a key looks like) by
/// "[redacted]". Used for charon lines shown in reports.
QString redactKeyLikeHex(const QString &text, int *count = nullptr);
/// True for keys whose values are credentials wherever they appear: secret, psk, pass...,
/// token, cookie, credential, private, and the whole words pin, key, pw, pwd (xauth_secret,
/// private_key_pin; not keyexchange or rekey_time). Shared by the redactors and the parsers.
bool isCredentialKey(QByteArrayView key);
/// True if the text holds "0x" followed by 32 or more hex digits (what a key looks like).
bool containsKeyLikeHex(const QByteArray &text);

} // namespace ikev2wb
