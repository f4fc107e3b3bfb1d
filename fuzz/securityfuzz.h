#pragma once
// Fuzzing the two places where hostile evidence meets the engineer's trust: the redactors that
// `ikev2wb collect` passes configurations and logs through before they leave the host, and the fix
// script `ikev2wb diagnose --fix-script` writes for an engineer to run as root. Shared by the
// libFuzzer targets (fuzz_redact, fuzz_fixscript; clang) and the deterministic ctest
// tst_fuzz_security (g++), so both check the same oracles:
//   redactors: a SECRETMARKER planted in any secret-bearing value (credential keys, anything in a
//     `secrets` section, URI passwords, values of unknown keys, charon's key hex dumps, xfrm keys)
//     never survives, and the redacted file keeps its lines and parses to the same structure;
//   fix script: bash -n passes; the marker planted in evidence reaches a command only inside a
//     value that passes the validators (re-implemented here, independently of shellquote.cpp),
//     single-quoted or bare of shell-special characters, never in double quotes or an unquoted
//     heredoc; no control character anywhere in the script.
#include "diagnose/checklist.h"
#include "diagnose/fixes.h"
#include "evidence/evidenceset.h"
#include "evidence/evidencetypes.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace ikev2wb::fuzz {

/// Deterministic generator (splitmix64) so that a ctest run is reproducible from its seed.
class Rng
{
public:
    explicit Rng(std::uint64_t seed) : m_s(seed) {}
    std::uint64_t next();
    /// 0 .. n-1 (n > 0).
    std::uint32_t below(std::uint32_t n) { return std::uint32_t(next() % n); }
    bool chance(int percent) { return below(100) < std::uint32_t(percent); }

private:
    std::uint64_t m_s;
};

/// The string planted where evidence values go; short enough for an interface name and valid in
/// every name validator, so that it also reaches commands through accepted values.
inline constexpr const char *kTaint = "Zq9";
/// The word the hostile values carry after shell syntax ("Zq9;touch PWNED"): outside comments
/// and quoted heredocs it, too, may only appear inside a validated value.
inline constexpr const char *kTaint2 = "PWNED";
/// What must never leave the host in a redacted file.
inline constexpr const char *kSecret = "SECRETMARKER";

// ---------------------------------------------------------------- redactors

enum class RedactKind : std::uint8_t { StrongswanConf, IpsecConf, CharonLog, XfrmState };
inline constexpr int kRedactKinds = 4;

/// A text with secrets planted where the redaction policy says they are secret.
struct PlantedText
{
    RedactKind kind = RedactKind::StrongswanConf;
    QByteArray text;
    QByteArrayList secretLines; // charon logs: the dump lines that must be gone (exact text)
};
/// Builds a random swanctl.conf / strongswan.conf, ipsec.conf, charon log or `ip xfrm state`
/// listing in the syntax of strongSwan's lexer (one-line sections, quoted strings with braces,
/// '#', escapes and line breaks, comments, includes) with kSecret in every secret-bearing value.
PlantedText generatePlanted(Rng &rng, RedactKind kind);
/// The redactor of that kind.
QByteArray redact(RedactKind kind, const QByteArray &text);
/// Oracles of a planted text: no kSecret (and no dump line, no key hex) survives; for the
/// configurations, the structure check below as well. Empty when all hold.
QStringList checkPlanted(const PlantedText &p);
/// A parsed configuration (our parser) as lines "section NAME @LINE" / "value KEY @LINE = VALUE" /
/// "include X" / "warning @LINE MESSAGE" / "connections N", in file order, the content of
/// `secrets` sections left out: to compare a file with its redacted copy (also tst_collect).
QStringList describeConfig(const QByteArray &text, EvidenceKind kind);
/// Any text: the redacted file has as many lines (xfrm listings, configurations) and, for a
/// configuration our parser reads without a warning, parses to the same sections, keys, lines,
/// includes and connections, a value differing only by having become "[redacted]" (the content
/// of `secrets` sections is left out on both sides: the redactor drops it at any depth).
QStringList checkRedactedStructure(RedactKind kind, const QByteArray &original, const QByteArray &redacted);

// ---------------------------------------------------------------- fix script

/// Lexical classes of the bytes of a bash script, as bash reads them.
enum class ShellContext : std::uint8_t {
    Code,            // unquoted words, operators, escapes, quote characters themselves
    Comment,         // from an unquoted '#' at a word's start to the end of the line
    SingleQuoted,    // inside '...'
    DoubleQuoted,    // literal text inside "..." (expansions inside start their own context)
    HeredocQuoted,   // body of <<'DELIM' / <<"DELIM" / <<\DELIM: never expanded
    HeredocUnquoted, // body of <<DELIM: expanded like double quotes
};
/// One class per byte of `script`; `error` set for an unterminated quote, substitution or heredoc.
std::vector<ShellContext> classifyShell(const QByteArray &script, QString *error);

/// The table, chain and rule text of each firewall_drop rule that an independent check accepts
/// (what firewallAcceptFixes may put into a command, single-quoted).
QStringList validatedFirewallValues(const std::vector<Facts::FirewallDrop> &drops);

/// Oracles over one generated script (not bash -n; see bashSyntaxError): every occurrence of
/// kTaint and kTaint2 lies in a comment, a quoted heredoc, or a single-quoted / shell-safe bare word that
/// contains one of `validated` around it; no control character (C0, DEL, C1, U+2028/2029)
/// anywhere but the line breaks.
QStringList checkFixScript(const QByteArray &script, const QStringList &validated);
/// The values of `t` that are not placeholders, each checked against this file's own validators
/// (interface: [A-Za-z0-9_.+-]{1,15} starting with a letter, digit or '_'; connection/child:
/// [A-Za-z0-9][A-Za-z0-9_.+@:-]{0,63}; addresses and subnets: inet_pton and back to the same
/// text). A value that fails goes to `problems`.
QStringList validatedTargetValues(const FixTarget &t, const QStringList &sysctlKeys, QStringList *problems);
/// `bash -n` on the script: empty when it parses, else bash's message.
QString bashSyntaxError(const QByteArray &script);

/// One evidence file of a seed set: the name it is added under (the detector reads it) and text.
struct EvidenceSeed
{
    int lab = 0;
    QString name;
    QByteArray text;
};

/// The lab runs a diagnosis is fuzzed on: both captures loaded once, their host evidence kept in
/// memory; run() diagnoses one lab with one evidence file replaced by (or added as) the input,
/// exactly as `ikev2wb diagnose --capture A --peer-capture B --evidence …` would (addText instead
/// of reading the files: the parsers, detection and everything after are the same).
class FixScriptHarness
{
public:
    FixScriptHarness();
    ~FixScriptHarness();
    /// `labRoot`: tests/data/lab; `evidenceRoot`: tests/data/evidence (extra seed files).
    bool load(const QString &labRoot, const QStringList &labs, const QString &evidenceRoot, QString *error);
    [[nodiscard]] int labCount() const;
    [[nodiscard]] QString labName(int lab) const;
    /// Every evidence file of every lab, plus configuration, sysctl, ethtool, route and probe
    /// seeds that feed fixes (a swanctl.conf naming the lab's peers, disable_policy = 1, ...).
    [[nodiscard]] std::vector<EvidenceSeed> seeds() const;

    struct Result
    {
        QByteArray script;
        QStringList problems; // oracle failures other than bash -n
        int fixes = 0;
        int taintInCode = 0; // kTaint occurrences that reached a command (validated, quoted)
    };
    [[nodiscard]] Result run(const EvidenceSeed &input) const;
    /// The names and addresses the lab's host-A evidence gives (interfaces, gateways,
    /// connection and CHILD_SA names, addresses, subnets): what an attacker who controls that
    /// host's configuration controls everywhere at once.
    [[nodiscard]] QByteArrayList identities(int lab) const;
    /// Diagnoses `lab` with `from` replaced by `to` in every evidence file of the lab (and the
    /// extra configuration seeds), as if the gateway had been set up with that name.
    [[nodiscard]] Result runRenamed(int lab, const QByteArray &from, const QByteArray &to) const;

    /// True for the seeds whose values feed fixes (routes, SA/connection listings, configurations,
    /// logs, sysctl, link and ring listings, probes): the ctest draws them more often.
    [[nodiscard]] static bool feedsFixes(const QString &name);
    /// True for iptables-save / nft listings: their table, chain and rule text reach
    /// firewall_drop's fix.
    [[nodiscard]] static bool isFirewall(const QString &name);

private:
    struct Lab;
    std::vector<std::unique_ptr<Lab>> m_labs;
    std::vector<EvidenceSeed> m_extra;
    /// The lab's other evidence, parsed once per (lab, file replaced).
    mutable std::map<std::pair<int, QString>, EvidenceSet> m_base;
    [[nodiscard]] Result diagnose(int lab, const EvidenceSet &ev, const QString &input) const;
};

/// A hostile replacement for an identity (kTaint with a prefix and a suffix of shell syntax,
/// control characters, ... or nothing, which the validators then accept).
QByteArray hostileValue(Rng &rng);
/// Mutates an evidence file: plants kTaint with shell metacharacters, control characters,
/// heredoc terminators and long runs in place of the values that feed fixes (the interface after
/// `dev`, the gateway after `via`, connection and CHILD_SA names, addresses and traffic selectors,
/// sysctl interface names, probe targets) or of any word, inserts domain tokens, flips, deletes
/// and duplicates bytes and lines. 1–4 operations.
QByteArray mutateEvidence(const QByteArray &seed, Rng &rng);
/// Byte-level mutation for the redactor's structure oracle (keeps kSecret where it was likely).
QByteArray mutateText(const QByteArray &seed, Rng &rng);

} // namespace ikev2wb::fuzz
