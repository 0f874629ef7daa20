# cmake -DWISENET_ONNX=bin/wisenet-onnx -DFIXTURE=dir -DWORK=dir -P onnx_cli_errors.cmake: bad
# input to wisenet-onnx is one line on stderr naming the file and the problem, and a non-zero
# exit: a missing export folder, an unreadable image, a best-* mode without proposals, an
# unknown option.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/bad-images)
file(WRITE ${WORK}/bad-images/broken.png "not a PNG\n")

# expect_error(NAME PATTERN args...): wisenet-onnx ARGS exits non-zero with one stderr line,
# "wisenet-onnx: error: ..." matching PATTERN.
function(expect_error name pattern)
  execute_process(COMMAND ${WISENET_ONNX} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "${name}: exit 0, expected an error (stdout: ${out})")
  endif()
  if(NOT err MATCHES "^wisenet-onnx: error: [^\n]*\n$")
    message(FATAL_ERROR "${name}: stderr is not one error line: [${err}]")
  endif()
  if(NOT err MATCHES "${pattern}")
    message(FATAL_ERROR "${name}: stderr does not match '${pattern}': ${err}")
  endif()
  message("${name}: exit ${rc}, ${err}")
endfunction()

expect_error(missing-export "${WORK}/no-export/wisenet.json: " predict --onnx ${WORK}/no-export
             --images ${FIXTURE} --out ${WORK}/out)
expect_error(unreadable-image "${WORK}/bad-images/broken.png: " predict --onnx ${FIXTURE}/onnx
             --images ${WORK}/bad-images --out ${WORK}/out)
expect_error(no-proposals "--mode best-dice needs --proposals" predict --onnx ${FIXTURE}/onnx
             --images ${FIXTURE} --out ${WORK}/out --mode best-dice)
expect_error(unknown-option "--no-such-option" predict --onnx ${FIXTURE}/onnx --images
             ${FIXTURE} --out ${WORK}/out --no-such-option)
