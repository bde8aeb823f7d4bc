// The safety campaign: 1,000 random seeds with faults, clock drift at the assumed maximum;
// baton-sim must find no violation. Labelled "campaign" (not "core"): it is too slow under ASan.

#include <QProcess>
#include <QTest>

class TestCampaign : public QObject {
    Q_OBJECT

private slots:
    // Given 1,000 seeds of 20 virtual minutes each (5 electors, random faults, drift == max
    // drift), then baton-sim exits 0 and reports 0 unsafe seeds.
    void thousandSeedsAreSafe() {
        QProcess p;
        p.start(QStringLiteral(BATON_SIM_PATH),
                {u"--seeds"_qs, u"1000"_qs, u"--duration"_qs, u"20m"_qs, u"--faults"_qs,
                 u"random"_qs, u"--drift"_qs, u"0.01"_qs, u"--max-drift"_qs, u"0.01"_qs});
        QVERIFY(p.waitForFinished(280000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        QVERIFY2(out.contains(u"campaign: 1000 seeds (1..1000), 0 unsafe"_qs), qPrintable(out));
        qInfo("%s", qPrintable(out.section(u'\n', 0, 0)));
    }
};

QTEST_GUILESS_MAIN(TestCampaign)
#include "test_campaign.moc"
