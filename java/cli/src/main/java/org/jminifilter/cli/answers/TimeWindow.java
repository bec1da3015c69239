package org.jminifilter.cli.answers;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An answer's {@code between: "08:00-18:00"}: a time of day window in the service's local time,
 * the start included and the end excluded. A window whose end comes before its start crosses
 * midnight ({@code "22:00-06:00"}).
 *
 * @param start the first minute in the window
 * @param end   the first minute after it
 */
public record TimeWindow(LocalTime start, LocalTime end) {
    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,2}:\\d{2})\\s*-\\s*(\\d{1,2}:\\d{2})\\s*");
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("H:mm");

    public TimeWindow {
        if (start.equals(end)) {
            throw new IllegalArgumentException("starts and ends at " + start + ", an empty window (leave \"between\" "
                    + "out to answer at any time)");
        }
    }

    /** True when {@code time} is inside the window. */
    public boolean contains(LocalTime time) {
        if (start.isBefore(end)) {
            return !time.isBefore(start) && time.isBefore(end);
        }
        return !time.isBefore(start) || time.isBefore(end);
    }

    /**
     * Reads {@code "HH:MM-HH:MM"} (24-hour clock; {@code 24:00} for the end of the day).
     *
     * @return the window, or empty with {@code why} explaining what is wrong
     */
    public static Optional<TimeWindow> parse(String text, StringBuilder why) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            why.append("\"").append(text).append("\" is not a time window; write \"HH:MM-HH:MM\" (24-hour clock, "
                    + "local time), for example \"08:00-18:00\"");
            return Optional.empty();
        }
        try {
            LocalTime start = time(m.group(1), false);
            LocalTime end = time(m.group(2), true);
            return Optional.of(new TimeWindow(start, end));
        } catch (DateTimeParseException e) {
            why.append("\"").append(text).append("\": ").append(e.getParsedString())
                    .append(" is not a time of day (00:00 to 23:59; 24:00 only as the end)");
        } catch (IllegalArgumentException e) {
            why.append("\"").append(text).append("\" ").append(e.getMessage());
        }
        return Optional.empty();
    }

    private static LocalTime time(String hhmm, boolean end) {
        if (end && hhmm.equals("24:00")) {
            return LocalTime.MIDNIGHT;
        }
        return LocalTime.parse(hhmm, HH_MM);
    }

    @Override
    public String toString() {
        return start + "-" + (end.equals(LocalTime.MIDNIGHT) && !start.equals(LocalTime.MIDNIGHT) ? "24:00" : end);
    }
}
