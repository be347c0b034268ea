# The Debian packages: `cpack -G DEB` in the build folder makes one .deb per role, named and
# split as Debian's moosefs-* packages are (see README.md). Each Conflicts with the moosefs-*
# package of its role, whose programs have the same names.
set(CPACK_PACKAGE_NAME elkfs)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "ElkFS maintainers <elkfs@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "ElkFS distributed file system")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ${ELKFS_COMPONENTS})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
# dpkg-shlibdeps fills in each package's libraries (libfuse3-3, libssl3, libzstd1, ...).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# A component's DEPENDS (below) becomes "Depends: elkfs-common (= version)".
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The debug info stays in the build tree; packaged programs are a tenth of the size.
set(CPACK_STRIP_FILES ON)

# elk_deb(component CONFLICTS moosefs-x [UNIT unit] [DEPENDS ...] [SUGGESTS ...] DESCRIPTION d)
macro(elk_deb component)
  cmake_parse_arguments(DEB "" "CONFLICTS;UNIT;DESCRIPTION" "DEPENDS;SUGGESTS" ${ARGN})
  string(TOUPPER ${component} C)
  set(CPACK_DEBIAN_${C}_PACKAGE_NAME elkfs-${component})
  set(CPACK_COMPONENT_${C}_DESCRIPTION "${DEB_DESCRIPTION}")
  if(DEB_CONFLICTS)
    set(CPACK_DEBIAN_${C}_PACKAGE_CONFLICTS ${DEB_CONFLICTS})
  endif()
  if(DEB_DEPENDS)
    string(REPLACE ";" ", " CPACK_DEBIAN_${C}_PACKAGE_DEPENDS "${DEB_DEPENDS}")
  endif()
  if(DEB_SUGGESTS)
    string(REPLACE ";" ", " CPACK_DEBIAN_${C}_PACKAGE_SUGGESTS "${DEB_SUGGESTS}")
  endif()
  if(DEB_UNIT)
    # The servers run as mfs, which elkfs-common creates.
    set(CPACK_COMPONENT_${C}_DEPENDS common)
    set(scripts "")
    foreach(script postinst prerm postrm)
      set(PACKAGE elkfs-${component})
      set(UNIT ${DEB_UNIT}.service)
      configure_file(${CMAKE_CURRENT_SOURCE_DIR}/debian/unit.${script}.in
        ${PROJECT_BINARY_DIR}/debian/${component}/${script} @ONLY)
      list(APPEND scripts ${PROJECT_BINARY_DIR}/debian/${component}/${script})
    endforeach()
    set(CPACK_DEBIAN_${C}_PACKAGE_CONTROL_EXTRA "${scripts}")
  endif()
endmacro()

elk_deb(common DEPENDS adduser
  DESCRIPTION "ElkFS distributed file system - common files
 The system user and group mfs that the ElkFS servers run as, and their data
 folder /var/lib/mfs.")
set(CPACK_DEBIAN_COMMON_PACKAGE_ARCHITECTURE all)
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/debian/common.postinst
  ${PROJECT_BINARY_DIR}/debian/common/postinst COPYONLY)
set(CPACK_DEBIAN_COMMON_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/debian/common/postinst)

elk_deb(master CONFLICTS moosefs-master UNIT mfsmaster
  DESCRIPTION "ElkFS distributed file system - master server
 mfsmaster, the metadata server (MooseFS-compatible), with mfsmetarestore and
 mfsmetadump, the systemd unit mfsmaster.service and sample configs in /etc/mfs.")
elk_deb(chunkserver CONFLICTS moosefs-chunkserver UNIT mfschunkserver
  DESCRIPTION "ElkFS distributed file system - chunkserver
 mfschunkserver, the data server (MooseFS-compatible), with the systemd unit
 mfschunkserver.service and sample configs in /etc/mfs.")
elk_deb(metalogger CONFLICTS moosefs-metalogger UNIT mfsmetalogger
  DESCRIPTION "ElkFS distributed file system - metalogger
 mfsmetalogger, the metadata backup server (MooseFS-compatible), with the systemd
 unit mfsmetalogger.service and a sample config in /etc/mfs.")
elk_deb(client CONFLICTS moosefs-client DEPENDS fuse3
  DESCRIPTION "ElkFS distributed file system - client
 mfsmount (FUSE 3) and the file tools mfsgetgoal, mfssetgoal, mfsfileinfo, ...
 (one program, mfstools, and a link per name).")
elk_deb(cgi CONFLICTS moosefs-cgiserv UNIT mfscgiserv
  DESCRIPTION "ElkFS distributed file system - monitor pages server
 mfscgiserv, which serves a master's monitor pages on port 9425 from any host, at
 MooseFS's mfs.cgi addresses, with the systemd unit mfscgiserv.service.")
elk_deb(cli CONFLICTS moosefs-cli
  DESCRIPTION "ElkFS distributed file system - command-line monitor
 mfscli, which prints the master's state, read through its client port.")
elk_deb(volumes UNIT mfsiscsid SUGGESTS python3-cinder
  DESCRIPTION "ElkFS distributed file system - block volumes
 mfsiscsid (an iSCSI target serving volumes stored in ElkFS), mfsvolume (which
 manages them) and the OpenStack Cinder driver module elkfs.")

include(CPack)
