@echo off
rem jminifilter: runs the command line from its jar, passing every argument.
rem The jar is looked for next to this script, then in the build output of a source checkout.
setlocal
set "JAR=%~dp0jminifilter.jar"
if not exist "%JAR%" set "JAR=%~dp0..\java\cli\target\jminifilter.jar"
if not exist "%JAR%" (
  echo jminifilter: jminifilter.jar not found next to %~f0 or in java\cli\target ^(run: mvn -B -q package -DskipTests^) 1>&2
  exit /b 4
)
if "%JAVA%"=="" set "JAVA=java"
rem One-shot commands start about twice as fast on the client compiler alone; serve and the
rem Windows service run long and keep the full JIT. JMINIFILTER_JAVA_OPTS replaces this choice.
set "OPTS=%JMINIFILTER_JAVA_OPTS%"
if not defined OPTS if /i not "%~1"=="serve" if /i not "%~1"=="service" set "OPTS=-XX:TieredStopAtLevel=1"
"%JAVA%" %OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
