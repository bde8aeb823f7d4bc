// baton::sameText against std::string's ==: every length from 0 to 40 (the word loads of 4 to
// 16 bytes overlap, past 16 it is memcmp), equal texts in different buffers, and a difference at
// each position in turn, which every compare must see.

#include <baton/base/text.h>

#include <QTest>

#include <string>

class TestText : public QObject {
    Q_OBJECT

private slots:
    void sameTextAgreesWithEquality() {
        for (std::size_t n = 0; n <= 40; ++n) {
            std::string a;
            for (std::size_t i = 0; i < n; ++i)
                a.push_back(static_cast<char>('a' + i % 26));
            const std::string b(a.data(), a.size()); // its own buffer
            QVERIFY2(baton::sameText(a, b), qPrintable(QString::number(n)));
            for (std::size_t i = 0; i < n; ++i) {
                std::string c = a;
                c[i] = static_cast<char>(c[i] ^ 0x20);
                QCOMPARE(baton::sameText(a, c), a == c);
                QVERIFY2(!baton::sameText(a, c),
                         qPrintable(QStringLiteral("length %1, byte %2").arg(n).arg(i)));
            }
            // A prefix of another text is a different text.
            QVERIFY(!baton::sameText(a, a + "x"));
            QVERIFY(!baton::sameText(a + "x", a));
        }
        // Bytes past the end of a view are not read as part of it.
        const std::string longer = "node-17 and more";
        QVERIFY(baton::sameText(std::string_view(longer).substr(0, 7), "node-17"));
        QVERIFY(!baton::sameText(std::string_view(longer).substr(0, 7), "node-18"));
    }
};

QTEST_APPLESS_MAIN(TestText)
#include "test_text.moc"
