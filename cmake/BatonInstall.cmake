# What `cmake --install` adds beside the libraries and executables: the desktop entry, its
# icon and AppStream metainfo, the licence, a pkg-config file; and the DEB package (cpack -G DEB).
set(BATON_APP_ID io.github.baton.Baton)
set(BATON_DESKTOP_DIR ${PROJECT_SOURCE_DIR}/resources/desktop)

if(BATON_BUILD_APPS)
    install(FILES ${BATON_DESKTOP_DIR}/${BATON_APP_ID}.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${BATON_DESKTOP_DIR}/${BATON_APP_ID}.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    install(FILES ${BATON_DESKTOP_DIR}/${BATON_APP_ID}.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/baton)

# baton.pc finds its prefix from its own place, so one file serves /usr/local and the DEB's /usr.
set(BATON_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH BATON_PC_TO_PREFIX /prefix/${BATON_PC_DIR} /prefix)
string(REGEX REPLACE "/$" "" BATON_PC_TO_PREFIX "${BATON_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/baton.pc.in ${PROJECT_BINARY_DIR}/baton.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/baton.pc DESTINATION ${BATON_PC_DIR})

# One package, baton, for Debian 12. dpkg-shlibdeps (dpkg-dev) finds the libraries the
# executables link (Qt 6 with its SVG library, hiredis); the Qt platform plugins are loaded at
# run time, so they are named here.
set(CPACK_PACKAGE_NAME baton)
set(CPACK_PACKAGE_VENDOR "The Baton maintainers")
set(CPACK_PACKAGE_CONTACT "The Baton maintainers <maintainers@users.noreply.r-seed-b9adaf06.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}: a leader-election toolkit and lab")
set(CPACK_PACKAGE_DESCRIPTION "Baton elects one leader among many processes through a \
distributed lock on a key-value store (embedded, or Redis). This package holds the lab \
(baton), the headless tools baton-agent, baton-ctl, baton-sim and baton-campaign, and the C++ \
library with its headers.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "redis-server, redis-sentinel")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "redis-tools, xvfb")
include(CPack)
