// The small readers of host evidence text in core/evidence that the diagnosis uses
// (routelisting.h, suitetext.h, rulematch.h, sysctlvalues.h), on hand-written inputs in the
// syntax iproute2 4.x-6.x, swanctl 5.9 and iptables/nft print. Expected values are worked out
// by hand from that syntax (the prefix arithmetic, the route a packet takes, the suite the
// algorithm names mean), not copied from the code's output.
#include "evidence/routelisting.h"
#include "evidence/rulematch.h"
#include "evidence/suitetext.h"
#include "evidence/sysctlvalues.h"

#include <QtTest>

using namespace ikev2wb;

class TestEvidenceText : public QObject
{
    Q_OBJECT
private slots:
    void routes()
    {
        // `ip route show table all` of a host with three interfaces: a default route, a /24
        // towards the peer's site with a locked MTU, a host route to the peer itself, and the
        // local table (own addresses; "table" lines are not routes of the main table).
        const QString text = QStringLiteral(
            "default via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.10 metric 100\n"
            "10.0.2.0/24 via 10.0.1.254 dev eth1 mtu lock 1400\n"
            "10.0.2.1 via 10.0.1.1 dev eth2 proto static\n"
            "192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10\n"
            "local 10.0.1.5 dev eth1 table local proto kernel scope host src 10.0.1.5\n"
            "local 192.168.1.10 dev eth0 table local proto kernel scope host src 192.168.1.10\n"
            "broadcast 192.168.1.255 dev eth0 table local proto kernel scope link src 192.168.1.10\n"
            "local ::1 dev lo table local proto kernel metric 0 pref medium\n");
        // 10.0.2.1 matches /0, /24 and /32: the /32 wins.
        RouteTowards r = routeTowards(text, QStringLiteral("10.0.2.1"));
        QCOMPARE(r.dev, QStringLiteral("eth2"));
        QCOMPARE(r.via, QStringLiteral("10.0.1.1"));
        QVERIFY(r.hostRoute);
        QCOMPARE(r.mtu, 0);
        // 10.0.2.7 is in 10.0.2.0/24 (10.0.2.0 .. 10.0.2.255), not the /32: the /24 with "mtu lock 1400".
        r = routeTowards(text, QStringLiteral("10.0.2.7"));
        QCOMPARE(r.dev, QStringLiteral("eth1"));
        QCOMPARE(r.via, QStringLiteral("10.0.1.254"));
        QCOMPARE(r.mtu, 1400);
        QVERIFY(!r.hostRoute);
        // On the link: no gateway.
        r = routeTowards(text, QStringLiteral("192.168.1.50"));
        QCOMPARE(r.dev, QStringLiteral("eth0"));
        QVERIFY(r.via.isEmpty());
        // Elsewhere (10.0.3.1 is outside 10.0.2.0/24): the default route.
        r = routeTowards(text, QStringLiteral("10.0.3.1"));
        QCOMPARE(r.dev, QStringLiteral("eth0"));
        QCOMPARE(r.via, QStringLiteral("192.168.1.1"));
        QCOMPARE(interfaceFromRoutes(text, QStringLiteral("10.0.2.200")), QStringLiteral("eth1"));
        // Not an address: only the default route can be told.
        QCOMPARE(routeTowards(text, QStringLiteral("peer.example")).dev, QStringLiteral("eth0"));
        QCOMPARE(routeTowards(QString(), QStringLiteral("10.0.2.1")).dev, QString());
        // A prefix length that is not a number is no route (before: /0, outranking the default).
        const QString junk = QStringLiteral("default via 192.168.1.1 dev eth0\n"
                                            "10.0.2.0/x dev evil0 mtu 576\n"
                                            "10.0.2.0/ dev evil1 mtu 576\n");
        r = routeTowards(junk, QStringLiteral("10.0.2.1"));
        QCOMPARE(r.dev, QStringLiteral("eth0"));
        QCOMPARE(r.mtu, 0);
        QCOMPARE(ownAddresses(text), (QStringList{QStringLiteral("10.0.1.5"), QStringLiteral("192.168.1.10"),
                                                  QStringLiteral("::1")}));
    }

    void prefixes()
    {
        std::uint32_t v = 0;
        QVERIFY(parseIpv4(QStringLiteral("10.0.2.1"), v));
        QCOMPARE(v, (10u << 24) | (0u << 16) | (2u << 8) | 1u);
        QVERIFY(!parseIpv4(QStringLiteral("10.0.2.256"), v));
        QVERIFY(!parseIpv4(QStringLiteral("10.0.2"), v));
        QVERIFY(parseIpv4(QStringLiteral("10.0.2.1"), v));
        QCOMPARE(ipv4PrefixLength(QStringLiteral("10.0.0.0/8"), v), 8);
        QCOMPARE(ipv4PrefixLength(QStringLiteral("10.0.2.1"), v), 32);
        QCOMPARE(ipv4PrefixLength(QStringLiteral("10.0.3.0/24"), v), -1);
        QCOMPARE(ipv4PrefixLength(QStringLiteral("0.0.0.0/0"), v), 0);
        QCOMPARE(ipv4PrefixLength(QStringLiteral("10.0.0.0/33"), v), -1);

        QVERIFY(isIpLiteral(QStringLiteral("10.0.2.1")));
        QVERIFY(isIpLiteral(QStringLiteral("2001:db8::1")));
        QVERIFY(!isIpLiteral(QStringLiteral("gw.example")));
        QVERIFY(!isIpLiteral(QStringLiteral("10.0.2.1; reboot")));
        QVERIFY(!isIpLiteral(QStringLiteral("fe80::1%eth0")));
        // QRegularExpression's '$' also matches before a final newline: "fe80::1\n" passed, and
        // peerForCommand() puts a literal that passes into the ping / probe commands it suggests.
        QVERIFY(!isIpLiteral(QStringLiteral("fe80::1\n")));

        // 10.0.2.1 = 00001010.00000000.00000010.00000001: inside /8, /23 (10.0.2.0-10.0.3.255),
        // not inside 10.0.0.0/23 (10.0.0.0-10.0.1.255).
        QCOMPARE(inPrefix(QStringLiteral("10.0.2.1"), QStringLiteral("10.0.0.0/8")), 1);
        QCOMPARE(inPrefix(QStringLiteral("10.0.2.1"), QStringLiteral("10.0.2.0/23")), 1);
        QCOMPARE(inPrefix(QStringLiteral("10.0.2.1"), QStringLiteral("10.0.0.0/23")), 0);
        QCOMPARE(inPrefix(QStringLiteral("10.0.2.1"), QStringLiteral("10.0.2.1")), 1);
        QCOMPARE(inPrefix(QStringLiteral("10.0.2.2"), QStringLiteral("10.0.2.1")), 0);
        // 2001:db8:8000::1 has bit 32 set: inside 2001:db8::/32, not 2001:db8::/33.
        QCOMPARE(inPrefix(QStringLiteral("2001:db8:8000::1"), QStringLiteral("2001:db8::/32")), 1);
        QCOMPARE(inPrefix(QStringLiteral("2001:db8:8000::1"), QStringLiteral("2001:db8::/33")), 0);
        // The other family is not inside; what this tool does not read is not judged.
        QCOMPARE(inPrefix(QStringLiteral("10.0.2.1"), QStringLiteral("2001:db8::/32")), 0);
        QCOMPARE(inPrefix(QStringLiteral("10.0.2.1"), QStringLiteral("10.0.2.0-10.0.2.9")), -1);
        QCOMPARE(inPrefix(QStringLiteral("10.0.2.1"), QStringLiteral("@peers")), -1);
        QCOMPARE(inPrefix(QStringLiteral("10.0.2.1"), QStringLiteral("10.0.0.0/40")), -1);

        QCOMPARE(listTakes({}, QStringLiteral("10.0.2.1")), 1);
        QCOMPARE(listTakes({QStringLiteral("192.168.0.0/16"), QStringLiteral("10.0.2.0/24")},
                           QStringLiteral("10.0.2.1")),
                 1);
        QCOMPARE(listTakes({QStringLiteral("192.168.0.0/16")}, QStringLiteral("10.0.2.1")), 0);
        QCOMPARE(listTakes({QStringLiteral("192.168.0.0/16"), QStringLiteral("peerset")},
                           QStringLiteral("10.0.2.1")),
                 -1);

        // "--dports 500,4500" and "udp dport 1000-2000"
        const std::vector<std::pair<int, int>> ike{{500, 500}, {4500, 4500}}, range{{1000, 2000}};
        QVERIFY(portsTake({}, 4500));
        QVERIFY(portsTake(ike, 500) && portsTake(ike, 4500) && !portsTake(ike, 501));
        QVERIFY(portsTake(range, 1000) && portsTake(range, 2000) && !portsTake(range, 2001));

        // iptables "-i eth+", nft 'iifname "wg*"'
        QVERIFY(interfacesTake({}, QString()));
        QVERIFY(interfacesTake({QStringLiteral("eth+")}, QStringLiteral("eth1")));
        QVERIFY(interfacesTake({QStringLiteral("wg*")}, QStringLiteral("wg0")));
        QVERIFY(!interfacesTake({QStringLiteral("eth+")}, QStringLiteral("wlan0")));
        QVERIFY(!interfacesTake({QStringLiteral("eth0")}, QStringLiteral("eth0.100")));
        QVERIFY(!interfacesTake({QStringLiteral("eth0")}, QString()));

        // swanctl --list-sas "local  'left.lab.test' @ 10.0.1.1[4500]"
        QCOMPARE(swanctlAddress(QStringLiteral("'left.lab.test' @ 10.0.1.1[4500]")),
                 QStringLiteral("10.0.1.1"));
        QCOMPARE(swanctlAddress(QStringLiteral("2001:db8::1[500]")), QStringLiteral("2001:db8::1"));

        bool v4 = false, v6 = false;
        trafficSelectorFamilies(QStringLiteral("10.1.0.0/24"), v4, v6);
        QVERIFY(v4 && !v6);
        trafficSelectorFamilies(QStringLiteral("10.1.0.0/24, fd00::/64"), v4, v6);
        QVERIFY(v4 && v6);
        v4 = v6 = false;
        trafficSelectorFamilies(QStringLiteral("fd00:1::/64 fd00:2::/64"), v4, v6);
        QVERIFY(!v4 && v6);
        trafficSelectorFamilies(QStringLiteral("dynamic"), v4, v6);
        QVERIFY(!v4 && v6); // nothing cleared
    }

    void durations()
    {
        // strongSwan's time values: s, m, h, d suffixes, a bare number is seconds.
        QCOMPARE(parseDuration(QStringLiteral("30s")), 30.0);
        QCOMPARE(parseDuration(QStringLiteral("90")), 90.0);
        QCOMPARE(parseDuration(QStringLiteral("5m")), 300.0);
        QCOMPARE(parseDuration(QStringLiteral("1h")), 3600.0);
        QCOMPARE(parseDuration(QStringLiteral(" 2d ")), 172800.0);
        QCOMPARE(parseDuration(QStringLiteral("1.5h")), 5400.0);
        QVERIFY(parseDuration(QStringLiteral("soon")) < 0);
        QVERIFY(parseDuration(QString()) < 0);
    }

    void suites()
    {
        // swanctl --list-sas CHILD_SA lines: "  AES_GCM_16-256, ..." and "AES_CBC-128/HMAC_SHA2_256_128".
        auto s = suiteFromSwanctlProposal(QStringLiteral("AES_GCM_16-256"));
        QVERIFY(s);
        QCOMPARE(int(s->cipher), int(EspCipher::AesGcm16));
        QCOMPARE(int(s->integrity), int(EspIntegrity::None));
        s = suiteFromSwanctlProposal(QStringLiteral("AES_CBC-128/HMAC_SHA2_256_128"));
        QVERIFY(s);
        QCOMPARE(int(s->cipher), int(EspCipher::AesCbc));
        QCOMPARE(int(s->integrity), int(EspIntegrity::HmacSha256_128));
        s = suiteFromSwanctlProposal(QStringLiteral("esp:aes_cbc-256/hmac_sha1_96"));
        QVERIFY(s);
        QCOMPARE(int(s->cipher), int(EspCipher::AesCbc));
        QCOMPARE(int(s->integrity), int(EspIntegrity::HmacSha1_96));
        // A CBC cipher without integrity, an unknown cipher: no suite.
        QVERIFY(!suiteFromSwanctlProposal(QStringLiteral("AES_CBC-128")));
        QVERIFY(!suiteFromSwanctlProposal(QStringLiteral("CAMELLIA_CBC-128/HMAC_SHA2_256_128")));

        // ip xfrm state, as the parser keeps the lines (key dropped, ICV length kept).
        s = suiteFromXfrm({QStringLiteral("aead rfc4106(gcm(aes)) 128")});
        QVERIFY(s);
        QCOMPARE(int(s->cipher), int(EspCipher::AesGcm16)); // 128-bit ICV = 16 bytes
        s = suiteFromXfrm({QStringLiteral("aead rfc4106(gcm(aes)) 64")});
        QVERIFY(s);
        QCOMPARE(int(s->cipher), int(EspCipher::AesGcm8));
        s = suiteFromXfrm({QStringLiteral("auth-trunc hmac(sha256) 128"), QStringLiteral("enc cbc(aes)")});
        QVERIFY(s);
        QCOMPARE(int(s->cipher), int(EspCipher::AesCbc));
        QCOMPARE(int(s->integrity), int(EspIntegrity::HmacSha256_128));
        s = suiteFromXfrm({QStringLiteral("aead rfc7539esp(chacha20,poly1305) 128")});
        QVERIFY(s);
        QCOMPARE(int(s->cipher), int(EspCipher::ChaCha20Poly1305));
        QVERIFY(!suiteFromXfrm({QStringLiteral("auth-trunc hmac(sha256) 128")}));
        QVERIFY(!suiteFromXfrm({}));

        // The ICV is the truncation the kernel prints, not the algorithm's usual one: strongSwan's
        // sha1_160 is "auth-trunc hmac(sha1) 0x… 160" (20 bytes, not 12), sha256_96 "… 96".
        s = suiteFromXfrm({QStringLiteral("enc cbc(aes)"), QStringLiteral("auth-trunc hmac(sha1) 160")});
        QVERIFY(s);
        QCOMPARE(int(s->integrity), int(EspIntegrity::HmacSha1_160));
        QCOMPARE(espSuiteParams(*s).icvBytes, 20);
        s = suiteFromXfrm({QStringLiteral("enc cbc(aes)"), QStringLiteral("auth-trunc hmac(sha256) 96")});
        QVERIFY(s);
        QCOMPARE(espSuiteParams(*s).icvBytes, 12);
        s = suiteFromXfrm({QStringLiteral("enc cbc(aes)"), QStringLiteral("auth-trunc hmac(md5) 128")});
        QVERIFY(s);
        QCOMPARE(espSuiteParams(*s).icvBytes, 16);
        s = suiteFromXfrm({QStringLiteral("enc cbc(aes)"), QStringLiteral("auth-trunc cmac(aes) 96")});
        QVERIFY(s);
        QCOMPARE(int(s->integrity), int(EspIntegrity::AesCmac96));
        // "auth" without truncation: the kernel's default for the algorithm (xfrm_algo.c: 96 bits
        // for hmac(sha256)).
        s = suiteFromXfrm({QStringLiteral("enc cbc(aes)"), QStringLiteral("auth hmac(sha256)")});
        QVERIFY(s);
        QCOMPARE(espSuiteParams(*s).icvBytes, 12);
        // An integrity algorithm or truncation whose ICV this tool does not know: no suite (never
        // an ICV of 0 or a guessed one).
        QVERIFY(
            !suiteFromXfrm({QStringLiteral("enc cbc(aes)"), QStringLiteral("auth-trunc hmac(rmd160) 160")}));
        QVERIFY(
            !suiteFromXfrm({QStringLiteral("enc cbc(aes)"), QStringLiteral("auth-trunc hmac(sha1) 128")}));
        QVERIFY(!suiteFromXfrm({QStringLiteral("enc cbc(aes)"), QStringLiteral("auth-trunc hmac(sha256)")}));

        // swanctl names the truncation in the algorithm: HMAC_SHA1_160 is not HMAC_SHA1_96.
        s = suiteFromSwanctlProposal(QStringLiteral("AES_CBC-128/HMAC_SHA1_160"));
        QVERIFY(s);
        QCOMPARE(espSuiteParams(*s).icvBytes, 20);
        s = suiteFromSwanctlProposal(QStringLiteral("AES_CBC-256/HMAC_SHA2_256_96/MODP_2048"));
        QVERIFY(s);
        QCOMPARE(espSuiteParams(*s).icvBytes, 12);
        s = suiteFromSwanctlProposal(QStringLiteral("ESP:AES_CBC-128/HMAC_MD5_128"));
        QVERIFY(s);
        QCOMPARE(espSuiteParams(*s).icvBytes, 16);
        s = suiteFromSwanctlProposal(QStringLiteral("AES_CBC-128/AES_CMAC_96"));
        QVERIFY(s);
        QCOMPARE(espSuiteParams(*s).icvBytes, 12);
        QVERIFY(!suiteFromSwanctlProposal(QStringLiteral("AES_CBC-128/HMAC_SHA3_256_128")));
    }

    void sysctl()
    {
        // `sysctl -a` values as the parser keeps them (key → text after " = ").
        SysctlValues v;
        v.values[QStringLiteral("net.ipv4.conf.all.rp_filter")] = QStringLiteral("2");
        v.values[QStringLiteral("net.ipv4.ip_no_pmtu_disc")] = QStringLiteral(" 0 ");
        v.values[QStringLiteral("net.ipv4.tcp_rmem")] = QStringLiteral("4096\t131072\t6291456");
        QCOMPARE(sysctlInt(v, QStringLiteral("net.ipv4.conf.all.rp_filter")), std::optional<int>(2));
        QCOMPARE(sysctlInt(v, QStringLiteral("net.ipv4.ip_no_pmtu_disc")), std::optional<int>(0));
        QCOMPARE(sysctlInt(v, QStringLiteral("net.ipv4.tcp_rmem")), std::optional<int>());
        QCOMPARE(sysctlInt(v, QStringLiteral("net.ipv4.route.min_pmtu")), std::optional<int>());

        QCOMPARE(xfrmBypassKey(QStringLiteral("net.ipv4.conf.eth0.disable_xfrm")),
                 QStringLiteral("net.ipv4.conf.eth0.disable_xfrm"));
        QCOMPARE(xfrmBypassKey(QStringLiteral("net.ipv6.conf.eth1.disable_policy")),
                 QStringLiteral("net.ipv6.conf.eth1.disable_policy"));
        // VLAN eth0.100: sysctl -a prints "eth0/100"; a dotted form is rewritten to it.
        QCOMPARE(xfrmBypassKey(QStringLiteral("net.ipv4.conf.eth0/100.disable_xfrm")),
                 QStringLiteral("net.ipv4.conf.eth0/100.disable_xfrm"));
        QCOMPARE(xfrmBypassKey(QStringLiteral("net.ipv4.conf.eth0.100.disable_xfrm")),
                 QStringLiteral("net.ipv4.conf.eth0/100.disable_xfrm"));
        // Other keys, an interface name longer than the kernel's 15, shell text: none.
        QCOMPARE(xfrmBypassKey(QStringLiteral("net.ipv4.conf.eth0.rp_filter")), QString());
        QCOMPARE(xfrmBypassKey(QStringLiteral("net.ipv4.conf.abcdefghijklmnop.disable_xfrm")), QString());
        QCOMPARE(xfrmBypassKey(QStringLiteral("net.ipv4.conf.$(id).disable_xfrm")), QString());
    }
};

QTEST_GUILESS_MAIN(TestEvidenceText)
#include "tst_evidencetext.moc"
