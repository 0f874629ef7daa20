# cmake -DBINARY=path -P check_no_torch.cmake: fails when ldd lists libtorch or libc10 among the
# binary's libraries (issue #10: the ONNX prediction path runs without libtorch), or when ldd
# does not show the libraries it must (OpenCV dnn, ONNX), which would mean the check saw nothing.
execute_process(COMMAND ldd ${BINARY} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ldd ${BINARY} failed: ${err}")
endif()
message("${out}")
string(REGEX MATCHALL "lib(torch|c10)[^ \t\n]*" torch_libraries "${out}")
if(torch_libraries)
  message(FATAL_ERROR "${BINARY} links libtorch: ${torch_libraries}")
endif()
foreach(needed libopencv_dnn libonnx)
  if(NOT out MATCHES "${needed}")
    message(FATAL_ERROR "ldd ${BINARY} does not list ${needed}: the check saw nothing")
  endif()
endforeach()
message("no libtorch, no libc10: ok")
