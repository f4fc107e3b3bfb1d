#include "sysctlvalues.h"

#include <QRegularExpression>

namespace ikev2wb {

std::optional<int> sysctlInt(const SysctlValues &v, const QString &key)
{
    const auto it = v.values.find(key);
    if (it == v.values.end()) return std::nullopt;
    bool ok = false;
    const int n = it->second.trimmed().toInt(&ok);
    if (!ok) return std::nullopt;
    return n;
}

QString xfrmBypassKey(const QString &key)
{
    // Only keys of the form the kernel uses (they go into a sysctl command of the fix). An
    // interface name with a dot (VLAN eth0.100) is printed by sysctl -a with a slash
    // (net.ipv4.conf.eth0/100.disable_xfrm), and only that form is accepted by sysctl -w: a
    // dotted form is rewritten to it.
    static const QRegularExpression bypassKey(
        QStringLiteral("^(net\\.ipv[46]\\.conf\\.)([A-Za-z0-9_][A-Za-z0-9_.+/"
                       "-]{0,14})\\.(disable_xfrm|disable_policy)\\z"));
    const QRegularExpressionMatch m = bypassKey.match(key);
    if (!m.hasMatch()) return {};
    QString iface = m.captured(2);
    iface.replace(QLatin1Char('.'), QLatin1Char('/'));
    return m.captured(1) + iface + QLatin1Char('.') + m.captured(3);
}

} // namespace ikev2wb
