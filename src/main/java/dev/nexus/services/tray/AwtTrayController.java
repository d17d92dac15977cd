package dev.nexus.services.tray;

import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.tray.icon.IconRenderer;
import dev.nexus.services.tray.model.MenuAction;
import dev.nexus.services.tray.model.MenuEntry;
import dev.nexus.services.tray.model.MenuModel;
import dev.nexus.services.tray.model.Notice;
import dev.nexus.services.tray.model.TraySummary;
import java.awt.AWTException;
import java.awt.CheckboxMenuItem;
import java.awt.Dimension;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.Image;
import java.awt.Menu;
import java.awt.MenuItem;
import java.awt.PopupMenu;
import java.awt.SystemTray;
import java.awt.TrayIcon;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tray icon through AWT's SystemTray. AWT work happens on the AWT event thread
 * ({@link EventQueue#invokeLater}); what the user does goes to the JavaFX thread through {@code fx}.
 * Neither side ever waits for the other.
 */
public final class AwtTrayController implements TrayController {
    private static final Logger LOG = LoggerFactory.getLogger(AwtTrayController.class);
    /** A click on a notification counts as answering it for this long after it was shown. */
    private static final Duration NOTICE_CLICK_WINDOW = Duration.ofMinutes(2);

    private final Executor fx;
    private final Supplier<TrayCallbacks> callbacks;
    private final TrayIcon icon;
    private final int size;
    private final IconRenderer.Variant variant;
    private final Map<DisplayStatus, Image> images = new EnumMap<>(DisplayStatus.class);
    // AWT thread only.
    private DisplayStatus shownStatus;
    private String shownTooltip;
    private MenuModel shownMenu;
    private final List<MenuItem> itemsInOrder = new ArrayList<>();
    private Notice lastNotice;
    private Instant lastNoticeAt;

    private AwtTrayController(Executor fx, Supplier<TrayCallbacks> callbacks, DisplayStatus initial, String tooltip)
            throws AWTException {
        this.fx = fx;
        this.callbacks = callbacks;
        SystemTray tray = SystemTray.getSystemTray();
        Dimension d = tray.getTrayIconSize();
        this.size = Math.max(16, Math.min(d.width, d.height));
        this.variant = useTemplate() ? IconRenderer.Variant.TEMPLATE : IconRenderer.Variant.COLOUR;
        this.icon = new TrayIcon(image(initial), tooltip, new PopupMenu());
        this.shownStatus = initial;
        this.shownTooltip = tooltip;
        icon.setImageAutoSize(false);
        icon.addMouseListener(new MouseAdapter() {
            @Override
            public void mouseClicked(MouseEvent e) {
                if (e.getButton() == MouseEvent.BUTTON1) {
                    Anchor anchor = new Anchor(e.getXOnScreen(), e.getYOnScreen());
                    fx.execute(() -> callbacks.get().open(anchor));
                }
            }
        });
        // A click on a notification balloon (and, on some systems, a double click on the icon).
        icon.addActionListener(e -> {
            Notice notice = lastNotice;
            if (notice != null && Instant.now().isBefore(lastNoticeAt.plus(NOTICE_CLICK_WINDOW))) {
                lastNotice = null;
                fx.execute(() -> callbacks.get().noticeClicked(notice));
            }
        });
        tray.add(icon);
    }

    /** True when this desktop has a tray AWT can use (a display, and a tray host on Linux). */
    public static boolean supported() {
        return !GraphicsEnvironment.isHeadless() && SystemTray.isSupported();
    }

    /**
     * Puts the icon in the tray at once, before the JavaFX side is up (its callbacks may be set later:
     * {@code fx} holds events until then). Call from any thread but the JavaFX one.
     */
    public static AwtTrayController install(Executor fx, Supplier<TrayCallbacks> callbacks, DisplayStatus initial,
                                            String tooltip) throws AWTException {
        if (isMac()) {
            // Honoured by newer JDKs: the template variant then follows light and dark menu bars.
            System.setProperty("apple.awt.enableTemplateImages", "true");
        }
        return new AwtTrayController(fx, callbacks, initial, tooltip);
    }

    @Override
    public String kind() {
        return "awt";
    }

    /** The icon's size in points, as the tray host asked for it. */
    public int iconSize() {
        return size;
    }

    @Override
    public void update(TraySummary summary, MenuModel menu) {
        EventQueue.invokeLater(() -> {
            if (summary.status() != shownStatus) {
                icon.setImage(image(summary.status()));
                shownStatus = summary.status();
                // Rare (a change of the worst status) and timed: the benchmark reads it (docs/BENCHMARKS.md).
                LOG.info("tray icon now {}", summary.status());
            }
            if (!summary.tooltip().equals(shownTooltip)) {
                icon.setToolTip(summary.tooltip());
                shownTooltip = summary.tooltip();
            }
            if (!menu.equals(shownMenu)) {
                showMenu(menu);
            }
        });
    }

    @Override
    public void notify(Notice notice) {
        EventQueue.invokeLater(() -> {
            lastNotice = notice;
            lastNoticeAt = Instant.now();
            icon.displayMessage(notice.title(), notice.text(),
                    notice.warning() ? TrayIcon.MessageType.WARNING : TrayIcon.MessageType.INFO);
        });
    }

    @Override
    public void close() {
        EventQueue.invokeLater(() -> SystemTray.getSystemTray().remove(icon));
    }

    private Image image(DisplayStatus status) {
        return images.computeIfAbsent(status, s -> IconRenderer.multiResolution(s, size, variant));
    }

    /** Updates labels and states in place when only they changed (no flicker); rebuilds otherwise. */
    private void showMenu(MenuModel menu) {
        if (shownMenu != null && shownMenu.sameShape(menu)) {
            List<MenuEntry> entries = new ArrayList<>();
            flatten(menu.entries(), entries);
            for (int i = 0; i < entries.size(); i++) {
                apply(entries.get(i), itemsInOrder.get(i));
            }
        } else {
            PopupMenu popup = icon.getPopupMenu();
            popup.removeAll();
            itemsInOrder.clear();
            build(menu.entries(), popup);
        }
        shownMenu = menu;
    }

    private void build(List<MenuEntry> entries, Menu parent) {
        for (MenuEntry entry : entries) {
            MenuItem item;
            if (entry instanceof MenuEntry.Separator) {
                item = new MenuItem("-");
            } else if (entry instanceof MenuEntry.Check) {
                CheckboxMenuItem check = new CheckboxMenuItem();
                check.addItemListener(e -> fire(check));
                item = check;
            } else if (entry instanceof MenuEntry.Submenu sub) {
                Menu menu = new Menu(sub.label());
                itemsInOrder.add(menu);
                apply(entry, menu);
                build(sub.entries(), menu);
                parent.add(menu);
                continue;
            } else {
                MenuItem plain = new MenuItem();
                plain.addActionListener(e -> fire(plain));
                item = plain;
            }
            itemsInOrder.add(item);
            apply(entry, item);
            parent.add(item);
        }
    }

    private static void flatten(List<MenuEntry> entries, List<MenuEntry> out) {
        for (MenuEntry e : entries) {
            out.add(e);
            if (e instanceof MenuEntry.Submenu sub) {
                flatten(sub.entries(), out);
            }
        }
    }

    private static void apply(MenuEntry entry, MenuItem item) {
        if (entry instanceof MenuEntry.Item i) {
            setIfChanged(item, i.label(), i.enabled());
            item.setActionCommand(encode(i.action()));
        } else if (entry instanceof MenuEntry.Check c) {
            setIfChanged(item, c.label(), c.enabled());
            CheckboxMenuItem check = (CheckboxMenuItem) item;
            if (check.getState() != c.checked()) {
                check.setState(c.checked());
            }
            item.setActionCommand(encode(c.action()));
        } else if (entry instanceof MenuEntry.Submenu s) {
            setIfChanged(item, s.label(), s.enabled());
        }
    }

    private static void setIfChanged(MenuItem item, String label, boolean enabled) {
        if (!label.equals(item.getLabel())) {
            item.setLabel(label);
        }
        if (item.isEnabled() != enabled) {
            item.setEnabled(enabled);
        }
    }

    /** The action rides on the item as its command string, so in-place updates keep it current. */
    private static String encode(MenuAction action) {
        return action.kind().name() + (action.service() == null ? "" : ":" + action.service());
    }

    private static MenuAction decode(String command) {
        int colon = command.indexOf(':');
        MenuAction.Kind kind = MenuAction.Kind.valueOf(colon < 0 ? command : command.substring(0, colon));
        return colon < 0 ? MenuAction.of(kind) : MenuAction.of(kind, command.substring(colon + 1));
    }

    private void fire(MenuItem item) {
        MenuAction action = decode(item.getActionCommand());
        fx.execute(() -> callbacks.get().perform(action));
    }

    private static boolean useTemplate() {
        return isMac() && Runtime.version().feature() >= 20;
    }

    private static boolean isMac() {
        return System.getProperty("os.name", "").startsWith("Mac");
    }
}
