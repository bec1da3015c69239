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
"%JAVA%" %JMINIFILTER_JAVA_OPTS% -jar "%JAR%" %*
exit /b %ERRORLEVEL%
