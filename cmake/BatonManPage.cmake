# baton_man_page(TARGET "NAME LINE"): section-1 man page for TARGET, made at build time by
# help2man from its --help and --version, installed to share/man/man1. Skipped (with a note)
# where help2man is not installed.
find_program(HELP2MAN_PROGRAM help2man)
find_program(GZIP_PROGRAM gzip)
if(NOT HELP2MAN_PROGRAM OR NOT GZIP_PROGRAM)
    message(STATUS "help2man or gzip not found: no man pages (apt-get install help2man)")
endif()

function(baton_man_page target name_line)
    if(NOT HELP2MAN_PROGRAM OR NOT GZIP_PROGRAM)
        return()
    endif()
    set(page ${CMAKE_CURRENT_BINARY_DIR}/${target}.1)
    # Run by name from its own folder so the usage line says "baton", not the build path; the
    # offscreen platform so that nothing needs a display.
    add_custom_command(OUTPUT ${page}.gz
        COMMAND ${CMAKE_COMMAND} -E env "PATH=$<TARGET_FILE_DIR:${target}>:$ENV{PATH}"
            QT_QPA_PLATFORM=offscreen
            ${HELP2MAN_PROGRAM} --no-info --no-discard-stderr --section=1
            "--name=${name_line}" "--version-string=${PROJECT_VERSION}" --output=${page}
            ${target}
        COMMAND ${GZIP_PROGRAM} -9nf ${page}
        DEPENDS ${target}
        COMMENT "Man page for ${target} (help2man)"
        VERBATIM)
    add_custom_target(${target}-man ALL DEPENDS ${page}.gz)
    install(FILES ${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endfunction()
