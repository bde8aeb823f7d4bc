// baton-sim: a Baton cluster on virtual time, with faults, checked for safety.

#include "cli.h"

#include <QCoreApplication>

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"baton-sim"_qs);
    QCoreApplication::setApplicationVersion(QStringLiteral(BATON_VERSION));
    return baton::sim::run(QCoreApplication::arguments());
}
